import type { ProfileView } from '../../../shared/profile.js';
import type { ErrorFix, TunnelProblem, TunnelState } from '../../../shared/tunnel-state.js';
import { useBridge } from '../app/bridge-context.js';
import type { FormFocus, Navigate } from '../app/route.js';
import { useAction } from '../hooks/use-action.js';
import './problem-callout.css';

/** A fix that opens the form at a field. */
type EditFix = Exclude<ErrorFix, 'none' | 'confirm-destination'>;

/** The button that goes with each kind of problem; 'none' offers a retry instead. */
const FIX_LABELS: Record<EditFix, string> = {
  'edit-key': 'Edit the key',
  'edit-password': 'Edit the password',
  'change-port': 'Pick another port',
};

/** The form field each fix opens. */
const FIX_FIELDS: Record<EditFix, FormFocus> = {
  'edit-key': 'apiKey',
  'edit-password': 'password',
  'change-port': 'port',
};

/** Why a tunnel failed, as the core's sentence, and the action that fixes it. */
export function ProblemCallout({
  problem,
  onFix,
  onRetry,
  secret = 'key',
  onConfirmDestination,
}: {
  problem: TunnelProblem;
  onFix: (fix: EditFix) => void;
  /** Offered when no edit fixes the problem (a gateway that was down, say). */
  onRetry?: () => void;
  /** What the profile's secret is called: its key, or its password. */
  secret?: 'key' | 'password';
  /** For a secret saved for another destination: the user sends it to the new one. */
  onConfirmDestination?: () => void;
}) {
  const { fix } = problem;
  if (fix === 'confirm-destination') {
    return (
      <div className="problem-callout" role="alert">
        <p className="problem-message">{problem.message}</p>
        <button
          type="button"
          className="button button-small"
          onClick={() => onFix(secret === 'key' ? 'edit-key' : 'edit-password')}
        >
          {secret === 'key' ? 'Enter the key again' : 'Enter the password again'}
        </button>
        {onConfirmDestination && (
          <button type="button" className="button button-small" onClick={onConfirmDestination}>
            Send my saved {secret} to {problem.destination}
          </button>
        )}
      </div>
    );
  }
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
  const confirm = useAction(() => bridge.confirmSecretDestination(profile.id));
  if (!state?.problem) {
    return null;
  }
  return (
    <ProblemCallout
      problem={state.problem}
      secret={profile.kind === 'direct' ? 'password' : 'key'}
      onConfirmDestination={() => void confirm.run()}
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
