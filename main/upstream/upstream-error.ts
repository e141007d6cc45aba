import { SessionFailureError } from '../failure/failure.js';

/** A failed login to the upstream: its typed cause, and the error the client will be shown. */
export class UpstreamError extends SessionFailureError {}
