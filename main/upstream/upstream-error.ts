import { SessionFailureError } from '../failure/failure.js';
import { addressOf, type UpstreamTarget } from './target.js';

/** A failed login to the upstream: its typed cause, and the error the client will be shown. */
export class UpstreamError extends SessionFailureError {}

/** A login that broke down on this side (`reason`, a clause), at `target`. */
export function loginFailed(target: UpstreamTarget, reason: string): UpstreamError {
  return new UpstreamError({
    kind: 'login-failed',
    reason,
    by: target.by,
    address: addressOf(target),
  });
}
