import type { ErrorFix, TunnelProblem } from '../../../shared/tunnel-state.js';
import './problem-callout.css';

/** The button that goes with each kind of problem; 'none' offers a retry instead. */
const FIX_LABELS: Record<Exclude<ErrorFix, 'none'>, string> = {
  'edit-key': 'Edit the key',
  'change-port': 'Pick another port',
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
