import type { ProfileView } from '../../../../shared/profile.js';
import type { TunnelState } from '../../../../shared/tunnel-state.js';
import type { Navigate } from '../../app/route.js';
import { ProfileProblem } from '../../components/problem-callout.js';
import { ScreenHeader } from '../../components/screen-header.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TunnelSwitch } from '../../components/tunnel-switch.js';
import { addressText, sessionCountText, warmLoginsText } from '../../format/labels.js';
import { ActivityLog } from './activity-log.js';
import { ConnectionSection } from './connection-section.js';
import { DirectSummary } from './direct-summary.js';
import { ProfileActions } from './profile-actions.js';
import { SessionsTable } from './sessions-table.js';
import { TestConnection } from './test-connection.js';
import './tunnel-detail-screen.css';

/** One tunnel: its state, how to connect, its live sessions, a test, and its recent events. */
export function TunnelDetailScreen({
  profile,
  state,
  navigate,
}: {
  profile: ProfileView;
  state: TunnelState | undefined;
  navigate: Navigate;
}) {
  const status = state?.status ?? 'stopped';
  const listening = status === 'listening';
  const address = addressText(state?.host ?? null, state?.port ?? null);
  const sessions = state?.sessions ?? [];
  const warm = listening ? warmLoginsText(state?.warmLogins) : null;
  const paused = listening ? state?.warmLogins?.paused : undefined;

  return (
    <section className="screen">
      <ScreenHeader title={profile.name} onBack={() => navigate({ screen: 'tunnels' })}>
        <TunnelSwitch profile={profile} state={state} />
      </ScreenHeader>
      <div className="screen-body">
        <p className="detail-status">
          <StatusBadge status={status} troubled={Boolean(state?.problem)} />
          {listening && address && (
            <span className="muted">
              on <span className="detail-address">{address}</span> ·{' '}
              {state?.runBy !== undefined
                ? `run by ${state.runBy}`
                : sessionCountText(sessions.length)}
              {warm && ` · ${warm}`}
            </span>
          )}
          {profile.kind === 'playground' && <span className="detail-kind">Playground</span>}
          {profile.kind === 'direct' && <span className="detail-kind">Direct</span>}
        </p>
        {paused && (
          <p className="detail-note" role="status">
            Warm logins are paused until {new Date(paused.until).toLocaleTimeString()}:{' '}
            {paused.reason}. Clients log in as usual meanwhile.
          </p>
        )}
        <DirectSummary profile={profile} />
        <ProfileProblem profile={profile} state={state} navigate={navigate} />
        <ConnectionSection profile={profile} state={state} />
        <SessionsTable profileId={profile.id} sessions={sessions} listening={listening} />
        <TestConnection
          // A new state (stopped, restarted, its problem fixed or changed) clears the last result:
          // a failure left behind would speak of a tunnel that is no longer there.
          key={`${status}|${state?.port ?? ''}|${state?.problem?.message ?? ''}`}
          profileId={profile.id}
          listening={listening}
        />
        <ActivityLog profileId={profile.id} version={state?.logEntries ?? 0} />
        <ProfileActions profile={profile} navigate={navigate} />
      </div>
    </section>
  );
}
