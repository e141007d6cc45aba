import type { Settings } from '../../../../shared/tunnel-state.js';
import { useState } from 'react';
import { useBridge } from '../../app/bridge-context.js';
import type { Navigate } from '../../app/route.js';
import { ScreenHeader } from '../../components/screen-header.js';
import { ToggleRow } from '../../components/toggle-row.js';
import { useAction } from '../../hooks/use-action.js';
import './settings-screen.css';

/** What each setting does, in the words shown under it. */
const SETTINGS: ReadonlyArray<{
  key: keyof Settings;
  label: string;
  description: string;
  /** Only the tray app has it: a browser window of `pg-tunnel ui` has no tray to start in. */
  trayOnly?: boolean;
}> = [
  {
    key: 'startAtLogin',
    label: 'Start at login',
    description: 'Put PG Tunnel in the tray when you log in to this computer.',
    trayOnly: true,
  },
  {
    key: 'startHidden',
    label: 'Start hidden',
    description: 'Keep this window closed at start; the tray icon opens it.',
    trayOnly: true,
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
  const inTray = bridge.desktop !== undefined;
  // Why a setting did not take (start at login refused by the system), shown under its switch.
  const [problems, setProblems] = useState<Partial<Record<keyof Settings, string>>>({});
  const update = useAction(async (changes: Partial<Settings>) => {
    const [key] = Object.keys(changes) as Array<keyof Settings>;
    try {
      const settings = await bridge.updateSettings(changes);
      setProblems({});
      return settings;
    } catch (error) {
      if (key) {
        setProblems({ [key]: error instanceof Error ? error.message : String(error) });
        return undefined;
      }
      throw error;
    }
  });
  return (
    <section className="screen">
      <ScreenHeader title="Settings" onBack={() => navigate({ screen: 'tunnels' })} />
      <div className="screen-body">
        <div className="panel settings-list">
          {SETTINGS.filter((setting) => inTray || !setting.trayOnly).map(
            ({ key, label, description }) => (
              <ToggleRow
                key={key}
                label={label}
                description={description}
                checked={settings[key]}
                problem={problems[key]}
                disabled={update.pending}
                onChange={(checked) => void update.run({ [key]: checked })}
              />
            ),
          )}
        </div>
        <p className="settings-version">PG Tunnel {version}</p>
      </div>
    </section>
  );
}
