import type { ProfileView } from '../../../../shared/profile.js';
import type { TunnelState } from '../../../../shared/tunnel-state.js';
import type { Navigate } from '../../app/route.js';
import { ChevronIcon } from '../../components/icons.js';
import { ProfileProblem } from '../../components/problem-callout.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TunnelSwitch } from '../../components/tunnel-switch.js';
import { addressText, sessionCountText } from '../../format/labels.js';
import './tunnel-card.css';

/** One profile in the list: name, status, address, sessions, the switch, and what went wrong. */
export function TunnelCard({
  profile,
  state,
  navigate,
}: {
  profile: ProfileView;
  state: TunnelState | undefined;
  navigate: Navigate;
}) {
  const status = state?.status ?? 'stopped';
  const address = addressText(state?.host ?? profile.host, state?.port ?? profile.port);
  const sessions = state?.sessions.length ?? 0;

  return (
    <li className="tunnel-card panel" data-status={status}>
      <div className="tunnel-card-row">
        <div className="tunnel-card-main">
          <h2 className="tunnel-card-title">
            <button
              type="button"
              className="tunnel-card-open"
              onClick={() => navigate({ screen: 'detail', profileId: profile.id })}
            >
              <span className="tunnel-card-name">{profile.name}</span>
              <ChevronIcon />
            </button>
          </h2>
          <p className="tunnel-card-meta">
            <StatusBadge status={status} troubled={Boolean(state?.problem)} />
            {address && <span className="meta-item tunnel-card-address">{address}</span>}
            {state?.runBy !== undefined ? (
              <span className="meta-item">run by {state.runBy}</span>
            ) : (
              status === 'listening' && (
                <span className="meta-item">{sessionCountText(sessions)}</span>
              )
            )}
          </p>
        </div>
        <TunnelSwitch profile={profile} state={state} />
      </div>
      <ProfileProblem profile={profile} state={state} navigate={navigate} />
    </li>
  );
}
