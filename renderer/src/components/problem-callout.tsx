import type { ProfileView } from '../../../shared/profile.js';
import type { ErrorFix, TunnelProblem, TunnelState } from '../../../shared/tunnel-state.js';
import { useBridge } from '../app/bridge-context.js';
import type { FormFocus, Navigate } from '../app/route.js';
import { useAction } from '../hooks/use-action.js';
import './problem-callout.css';

/** The button that goes with each kind of problem; 'none' offers a retry instead. */
const FIX_LABELS: Record<Exclude<ErrorFix, 'none'>, string> = {
  'edit-key': 'Edit the key',
  'edit-password': 'Edit the password',
  'change-port': 'Pick another port',
};

/** The form field each fix opens. */
const FIX_FIELDS: Record<Exclude<ErrorFix, 'none'>, FormFocus> = {
  'edit-key': 'apiKey',
  'edit-password': 'password',
  'change-port': 'port',
};

/** Why a tunnel failed, as the core's sentence, and the action that fixes it. */
export function ProblemCallout({
  problem,
  onFix,
  onRetry,
}: {
  problem: TunnelProblem;
  onFix: (fix: Exclude<ErrorFix, 'none'>) => void;
  /** Offered when no edit fixes the problem (a gateway that was down, say). */
  onRetry?: () => void;
}) {
  const { fix } = problem;
  return (
    <div className="problem-callout" role="alert">
      <p className="problem-message">{problem.message}</p>
      {fix !== 'none' ? (
        <button type="button" className="button button-small" onClick={() => onFix(fix)}>
          {FIX_LABELS[fix]}
        </button>
      ) : (
        onRetry && (
          <button type="button" className="button button-small" onClick={onRetry}>
            Try again
          </button>
        )
      )}
    </div>
  );
}

/**
 * A profile's problem as both the card and the detail screen show it: the fix opens the form at
 * the field to change, and "Try again" restarts the tunnel.
 */
export function ProfileProblem({
  profile,
  state,
  navigate,
}: {
  profile: ProfileView;
  state: TunnelState | undefined;
  navigate: Navigate;
}) {
  const bridge = useBridge();
  const retry = useAction(() => bridge.restartTunnel(profile.id));
  if (!state?.problem) {
    return null;
  }
  return (
    <ProblemCallout
      problem={state.problem}
      onFix={(fix) =>
        navigate({
          screen: 'form',
          profileId: profile.id,
          focus: FIX_FIELDS[fix],
        })
      }
      onRetry={state.status === 'error' ? () => void retry.run() : undefined}
    />
  );
}
