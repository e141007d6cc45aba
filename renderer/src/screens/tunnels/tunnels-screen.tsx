import type { AppSnapshot } from '../../../../shared/rpc.js';
import type { Navigate } from '../../app/route.js';
import { PlusIcon, SettingsIcon } from '../../components/icons.js';
import { ScreenHeader } from '../../components/screen-header.js';
import { FirstRun } from '../first-run/first-run.js';
import { StartStopAll } from './start-stop-all.js';
import { TunnelCard } from './tunnel-card.js';
import './tunnels-screen.css';

/** The home screen: a card per tunnel, or the first-run welcome when there is none. */
export function TunnelsScreen({
  snapshot,
  navigate,
  focusTitle,
}: {
  snapshot: AppSnapshot;
  navigate: Navigate;
  /** Focus the title: on coming back from another screen, not when the window first opens. */
  focusTitle: boolean;
}) {
  const settingsButton = (
    <button
      type="button"
      className="icon-button"
      aria-label="Settings"
      title="Settings"
      onClick={() => navigate({ screen: 'settings' })}
    >
      <SettingsIcon />
    </button>
  );

  if (snapshot.profiles.length === 0) {
    return (
      <section className="screen">
        <ScreenHeader title="PG Tunnel" focusTitle={focusTitle}>
          {settingsButton}
        </ScreenHeader>
        <FirstRun navigate={navigate} />
      </section>
    );
  }

  return (
    <section className="screen">
      <ScreenHeader title="Tunnels" focusTitle={focusTitle}>
        <button
          type="button"
          className="icon-button"
          aria-label="Add a tunnel"
          title="Add a tunnel"
          onClick={() => navigate({ screen: 'form' })}
        >
          <PlusIcon />
        </button>
        {settingsButton}
      </ScreenHeader>
      <StartStopAll snapshot={snapshot} />
      <ul className="screen-body tunnel-list" aria-label="Tunnels">
        {snapshot.profiles.map((profile) => (
          <TunnelCard
            key={profile.id}
            profile={profile}
            state={snapshot.tunnels[profile.id]}
            navigate={navigate}
          />
        ))}
      </ul>
    </section>
  );
}
