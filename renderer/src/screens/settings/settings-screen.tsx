import type { Settings } from '../../../../shared/tunnel-state.js';
import { useBridge } from '../../app/bridge-context.js';
import type { Navigate } from '../../app/route.js';
import { ScreenHeader } from '../../components/screen-header.js';
import { ToggleRow } from '../../components/toggle-row.js';
import { useAction } from '../../hooks/use-action.js';
import './settings-screen.css';

/** What each setting does, in the words shown under it. */
const SETTINGS: ReadonlyArray<{ key: keyof Settings; label: string; description: string }> = [
  {
    key: 'startAtLogin',
    label: 'Start at login',
    description: 'Put PG Tunnel in the tray when you log in to this computer.',
  },
  {
    key: 'startHidden',
    label: 'Start hidden',
    description: 'Keep this window closed at start; the tray icon opens it.',
  },
  {
    key: 'autoStartTunnels',
    label: 'Start tunnels automatically',
    description: 'When PG Tunnel starts, start each tunnel set to start with it.',
  },
];

export function SettingsScreen({
  settings,
  version,
  navigate,
}: {
  settings: Settings;
  version: string;
  navigate: Navigate;
}) {
  const bridge = useBridge();
  const update = useAction((changes: Partial<Settings>) => bridge.updateSettings(changes));
  return (
    <section className="screen">
      <ScreenHeader title="Settings" onBack={() => navigate({ screen: 'tunnels' })} />
      <div className="screen-body">
        <div className="panel settings-list">
          {SETTINGS.map(({ key, label, description }) => (
            <ToggleRow
              key={key}
              label={label}
              description={description}
              checked={settings[key]}
              disabled={update.pending}
              onChange={(checked) => void update.run({ [key]: checked })}
            />
          ))}
        </div>
        <p className="settings-version">PG Tunnel {version}</p>
      </div>
    </section>
  );
}
