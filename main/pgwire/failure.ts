import { SqlState, type PgError } from './error-response.js';

/**
 * Why a session could not start or had to end, as a typed cause. Every sentence a client, the CLI,
 * the tray or the window shows for one is made here, by describeFailure, from the cause.
 */
export type SessionFailureCause =
  /** The gateway answered the upgrade 401: it does not know the API key. */
  | { kind: 'key-rejected'; requestId?: string }
  /** The gateway answered 410: the key is known, but no database is behind it. */
  | { kind: 'no-database'; requestId?: string }
  /** The gateway answered the upgrade with another status. */
  | { kind: 'gateway-refused'; url: string; status: number; statusText: string; requestId?: string }
  /** No WebSocket could be opened (refused, DNS, TLS, no answer in time). */
  | { kind: 'gateway-unreachable'; url: string; reason: string }
  /** Nothing was heard from the gateway for `silentMs` while nothing held it back. */
  | { kind: 'gateway-silent'; silentMs: number }
  /** The gateway closed the WebSocket without saying why in a Postgres error. */
  | { kind: 'gateway-closed'; reason: string }
  /**
   * The connection to the gateway ended without a close frame: the gateway process died, or a
   * load balancer or the network between dropped it.
   */
  | { kind: 'gateway-lost' }
  /** The gateway broke the tunnel protocol (a text message). */
  | { kind: 'gateway-protocol-violation' }
  /** The upstream refused the key's own credentials (its role, password, pg_hba entry). */
  | { kind: 'login-refused'; error: PgError }
  /** Any other error the upstream sent during startup: caused by what the client asked for. */
  | { kind: 'database-error'; error: PgError }
  /** The gateway could not reach the upstream, or the login broke down. */
  | { kind: 'database-unreachable'; reason: string }
  /** The key already has as many sessions as the gateway allows it. */
  | { kind: 'session-limit'; limit: number }
  /** The gateway is stopping (SIGTERM) and its drain timeout ran out with the session open. */
  | { kind: 'gateway-shutdown' }
  /** A config reload removed the session's API key, and the config says to end its sessions. */
  | { kind: 'key-revoked' }
  /**
   * The session waited for its client longer than its key's idleTimeoutSeconds, in a transaction
   * or not.
   */
  | { kind: 'idle-timeout'; limitSeconds: number; inTransaction: boolean }
  /** The session was ended from PG Tunnel itself (a kill from the app, with its sentence). */
  | { kind: 'disconnected'; message: string }
  /** The tunnel is stopping: its sessions end, and a dial it had under way is given up. */
  | { kind: 'tunnel-stopping' };

/** Why the local port could not be taken. */
export type ListenFailureCause =
  /** Another program listens on host:port; `owner` names it when the OS says. */
  | { kind: 'port-in-use'; host: string; port: number; owner?: string }
  /**
   * 127.0.0.1:port was free but another program listens on [::1]:port, where clients that try
   * IPv6 first for "localhost" (macOS, Windows) would reach it instead of the tunnel.
   */
  | { kind: 'port-in-use-ipv6'; port: number; owner?: string }
  | { kind: 'listen-denied'; host: string; port: number }
  | { kind: 'address-not-local'; host: string }
  | { kind: 'listen-failed'; host: string; port: number; reason: string };

/** What the user can do about a failure; the window offers the matching action. */
export type FailureFix = 'edit-key' | 'change-port' | 'none';

/** A session failure in the terms of a Postgres client: an ErrorResponse, plus the sentence for people. */
export interface SessionFailure extends PgError {
  /** The message as a sentence for the CLI, tray and window: capitalized, with a final period. */
  sentence: string;
  fix: FailureFix;
}

/** A listen failure: the sentence, and what fixes it. */
export interface ListenFailure {
  sentence: string;
  fix: FailureFix;
}

/**
 * An error that carries its typed cause and what is shown for it: `failure` (the ErrorResponse
 * fields and the sentence); its message is the Postgres-style message.
 */
export class SessionFailureError extends Error {
  readonly failure: SessionFailure;

  constructor(readonly cause: SessionFailureCause) {
    const failure = describeFailure(cause);
    super(failure.message);
    this.failure = failure;
  }
}

/** Postgres messages start in lower case and have no final period; people's sentences do. */
export function toSentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The ErrorResponse fields (severity FATAL) and sentence of a session failure. */
export function describeFailure(cause: SessionFailureCause): SessionFailure {
  const error = pgErrorOf(cause);
  return { ...error, sentence: toSentence(error.message), fix: fixOf(cause) };
}

/** The sentence of a listen failure: "Port 5432 on 127.0.0.1 is already in use." and its kin. */
export function describeListenFailure(cause: ListenFailureCause): ListenFailure {
  switch (cause.kind) {
    case 'port-in-use':
      return {
        sentence: `Port ${cause.port} on ${cause.host} is already in use${by(cause.owner)}.`,
        fix: 'change-port',
      };
    case 'port-in-use-ipv6':
      return {
        sentence:
          `Port ${cause.port} on ::1 (IPv6 loopback) is already in use${by(cause.owner)}: ` +
          'clients that try ::1 first for localhost would reach it instead of the tunnel.',
        fix: 'change-port',
      };
    case 'listen-denied':
      return {
        sentence: `No permission to listen on port ${cause.port} of ${cause.host}.`,
        fix: 'change-port',
      };
    case 'address-not-local':
      return { sentence: `${cause.host} is not an address of this machine.`, fix: 'none' };
    case 'listen-failed':
      return {
        sentence: toSentence(`cannot listen on ${cause.host}:${cause.port}: ${cause.reason}`),
        fix: 'none',
      };
  }
}

function by(owner: string | undefined): string {
  return owner ? ` by ${owner}` : '';
}

function fixOf(cause: SessionFailureCause): FailureFix {
  return cause.kind === 'key-rejected' || cause.kind === 'no-database' ? 'edit-key' : 'none';
}

function withRequestId(requestId: string | undefined): string {
  return requestId ? ` (request id ${requestId})` : '';
}

function pgErrorOf(cause: SessionFailureCause): PgError {
  const fatal = (code: string, message: string, hint?: string): PgError => ({
    severity: 'FATAL',
    code,
    message,
    ...(hint ? { hint } : {}),
  });
  switch (cause.kind) {
    case 'key-rejected':
      return fatal(
        SqlState.InvalidPassword,
        `API key is invalid: the tunnel gateway refused it${withRequestId(cause.requestId)}`,
        'Check the API key of this tunnel (PDP_API_KEY or the api_key of DATABASE_URL).',
      );
    case 'no-database':
      return fatal(
        SqlState.InvalidAuthorization,
        `there is no database behind this API key${withRequestId(cause.requestId)}`,
        'Create a database for it, or use the API key of the environment that has one.',
      );
    case 'gateway-refused':
      return fatal(
        SqlState.UnableToConnect,
        `the tunnel gateway at ${cause.url} answered ${cause.status} ${cause.statusText}${withRequestId(cause.requestId)}`,
      );
    case 'gateway-unreachable':
      return fatal(
        SqlState.UnableToConnect,
        `could not reach the tunnel gateway at ${cause.url}: ${cause.reason}`,
      );
    case 'gateway-silent':
      return fatal(
        SqlState.ConnectionFailure,
        `the tunnel gateway stopped answering (nothing heard for ${Math.round(cause.silentMs / 1000)} s)`,
        'Check the network, then connect again.',
      );
    case 'gateway-closed':
      return fatal(
        SqlState.ConnectionFailure,
        `the tunnel gateway closed the connection (${cause.reason})`,
      );
    case 'gateway-lost':
      return fatal(
        SqlState.ConnectionFailure,
        'the connection to the tunnel gateway was lost (the gateway stopped, or the network between failed)',
        'Connect again.',
      );
    case 'gateway-protocol-violation':
      return fatal(
        SqlState.ProtocolViolation,
        'the tunnel gateway sent a text message, which the tunnel protocol does not allow',
      );
    case 'login-refused':
      return {
        ...cause.error,
        severity: 'FATAL',
        message: `the gateway could not log in to the database: ${cause.error.message}`,
      };
    case 'database-error':
      return cause.error;
    case 'database-unreachable':
      return fatal(
        SqlState.UnableToConnect,
        `the gateway could not reach the database (${cause.reason})`,
      );
    case 'session-limit':
      return fatal(
        SqlState.TooManyConnections,
        `too many sessions for this API key (the gateway allows ${cause.limit} at once)`,
        'Close some sessions, or ask the gateway operator to raise maxSessions.',
      );
    case 'gateway-shutdown':
      return fatal(
        SqlState.AdminShutdown,
        'terminating connection because the tunnel gateway is shutting down',
        'Connect again: new sessions go to a gateway that is running.',
      );
    case 'key-revoked':
      // admin_shutdown: an operator's command ended it, as pg_terminate_backend would.
      return fatal(
        SqlState.AdminShutdown,
        'terminating connection because its API key was revoked',
        'Ask the database owner for a new API key.',
      );
    case 'idle-timeout':
      // The SQLSTATEs of Postgres's own idle_session_timeout and
      // idle_in_transaction_session_timeout (src/backend/tcop/postgres.c, ProcessInterrupts).
      return fatal(
        cause.inTransaction
          ? SqlState.IdleInTransactionSessionTimeout
          : SqlState.IdleSessionTimeout,
        `terminating connection because the session was idle${cause.inTransaction ? ' in a transaction' : ''} for longer than this API key allows (${cause.limitSeconds} s)`,
        'Connect again. The tunnel gateway ends sessions left idle this long.',
      );
    case 'disconnected':
      return fatal(SqlState.AdminShutdown, cause.message);
    case 'tunnel-stopping':
      return fatal(SqlState.AdminShutdown, 'the tunnel is stopping');
  }
}
