import type { ErrorFix } from '../../shared/tunnel-state.js';
import { SqlState, type PgError } from '../pgwire/error-response.js';

/**
 * Why a session could not start or had to end, as a typed cause. Every sentence a client, the CLI,
 * the tray or the window shows for one is made here, by describeFailure, from the cause.
 */
export type SessionFailureCause =
  /**
   * The gateway answered the upgrade 401: it does not know the API key. `profile` names the
   * window's profile whose key it is (absent for the CLI, whose key comes from the environment).
   */
  | { kind: 'key-rejected'; requestId?: string; profile?: string }
  /** The gateway answered 410: the key is known, but no database is behind it. */
  | { kind: 'no-database'; requestId?: string; profile?: string }
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
  /** The upstream refused the credentials it was given (its role, password, pg_hba entry). */
  | { kind: 'login-refused'; error: PgError; by: LoginParty; address: string }
  /** Any other error the upstream sent during startup: caused by what the client asked for. */
  | { kind: 'database-error'; error: PgError }
  /**
   * The database the key or profile serves itself (its URL's) does not exist upstream: `error` is
   * the upstream's (3D000).
   */
  | { kind: 'served-database-missing'; database: string; error: PgError; by: LoginParty }
  /** No TCP connection to the upstream: `reason` is the system's code (ECONNREFUSED, ENOTFOUND). */
  | { kind: 'database-unreachable'; reason: string; by: LoginParty; address: string }
  /**
   * The upstream did not finish connecting within connect_timeout (`seconds`, per host, as libpq
   * applies it): `stage` says where it stalled.
   */
  | {
      kind: 'connect-timeout';
      stage: ConnectStage;
      seconds: number;
      by: LoginParty;
      address: string;
    }
  /**
   * Every host that could be reached is not what target_session_attrs asks for (`wanted`);
   * `found` says what each was ("db1:5432 is read-only").
   */
  | { kind: 'no-suitable-server'; wanted: string; found: string[]; by: LoginParty }
  /** The client went away while its database connection was being opened: no one is told. */
  | { kind: 'client-gone' }
  /** The upstream answered the SSLRequest with N while the sslmode insists on TLS. */
  | { kind: 'tls-refused'; sslMode: string; by: LoginParty; address: string }
  /** The upstream's certificate failed the sslmode's checks (see CertificateProblem). */
  | {
      kind: 'certificate-rejected';
      problem: CertificateProblem;
      /** What the certificate says (its names, its expiry) or what it was checked against. */
      detail: string;
      by: LoginParty;
      address: string;
    }
  /** The database asks for a password and none is configured. */
  | { kind: 'password-missing'; by: LoginParty; address: string }
  /** The login broke down on the connecting side: TLS, channel binding, a protocol surprise. */
  | { kind: 'login-failed'; reason: string; by: LoginParty; address: string }
  /** A direct session's database connection ended without a word from Postgres (a reset). */
  | { kind: 'database-lost'; reason: string; by: LoginParty; address: string }
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
  /**
   * The far end ended the session with a FATAL its client received as it was sent: the gateway's
   * (a session limit, an idle timeout, a drain, a revoked key, a refused login) or the database's
   * (pg_terminate_backend, a shutdown).
   */
  | { kind: 'ended-by-server'; error: PgError }
  /** The session was ended from PG Tunnel itself (a kill from the app, with its sentence). */
  | { kind: 'disconnected'; message: string }
  /** The tunnel is stopping: its sessions end, and a dial it had under way is given up. */
  | { kind: 'tunnel-stopping' };

/**
 * Who logs in to the database, which decides the wording: the gateway for an API key (the
 * database's address is its operator's business, not the tunnel client's), or PG Tunnel itself
 * for a direct profile (`profile` names it; absent for the CLI, which reads DATABASE_URL or --url
 * and gives `passwordHint`, the HINT of a refused or missing password naming where it took the
 * password from).
 */
export type LoginParty =
  { kind: 'gateway' } | { kind: 'direct'; profile?: string; passwordHint?: string };

/**
 * The stages of connecting to a database, in order: resolving its host name, opening TCP, waiting
 * for the answer to the SSLRequest, the TLS handshake, the login (up to the first ReadyForQuery).
 */
export type ConnectStage = 'dns' | 'tcp' | 'ssl-request' | 'tls' | 'login';

/** Each stage as the sentence of a connect timeout names it. */
const STAGE_WORDS: Record<ConnectStage, string> = {
  dns: 'resolving its host name',
  tcp: 'opening a TCP connection',
  'ssl-request': 'waiting for the answer to the SSLRequest',
  tls: 'in the TLS handshake',
  login: 'logging in',
};

/**
 * What was wrong with a server certificate: it names another host, no trusted CA signed it, it
 * expired or is not valid yet (Node's X509 verification codes, grouped as a user fixes them).
 */
export type CertificateProblem = 'hostname' | 'unknown-ca' | 'expired' | 'not-yet-valid' | 'other';

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
  /** The host name does not resolve: `reason` is the resolver's code (ENOTFOUND, EAI_AGAIN). */
  | { kind: 'host-not-found'; host: string; reason: string }
  | { kind: 'listen-failed'; host: string; port: number; reason: string };

/** A session failure in the terms of a Postgres client: an ErrorResponse, plus the sentence for people. */
export interface SessionFailure extends PgError {
  /** The message as a sentence for the CLI, tray and window: capitalized, with a final period. */
  sentence: string;
  fix: ErrorFix;
  /**
   * The whole story, for the gateway's log only, when the message leaves out what is the
   * operator's business (the gateway's CA file paths, what a certificate names): never sent.
   */
  operatorReason?: string;
}

/** A listen failure: the sentence, and what fixes it. */
export interface ListenFailure {
  sentence: string;
  fix: ErrorFix;
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

/** An HTTP status a gateway answers for a path it does not serve (ours serves /websocket). */
const HTTP_NOT_FOUND = 404;

/**
 * The reason of a 'gateway-unreachable' cause when a wss:// dial met a server that does not speak
 * TLS (OpenSSL's "wrong version number", Node's EPROTO).
 */
export const TLS_TO_PLAIN_REASON = 'the gateway does not speak TLS on that port (EPROTO)';

/**
 * A refusal that trying again cannot change: a gateway's, of the key (401), its database (410) or
 * the URL's path (404); or a database's, of the login's credentials or certificate, of TLS, or of
 * the database the key or profile serves. An unreachable gateway or database, another status,
 * or another error from the server (a connection limit, a server starting up) may pass.
 */
export function isLastingRefusal(cause: SessionFailureCause): boolean {
  switch (cause.kind) {
    case 'key-rejected':
    case 'no-database':
    case 'login-refused':
    case 'password-missing':
    case 'certificate-rejected':
    case 'tls-refused':
    case 'served-database-missing':
      return true;
    case 'gateway-refused':
      return cause.status === HTTP_NOT_FOUND;
    default:
      return false;
  }
}

/** A failure's sentence and, when it has one, its hint: what to do about it. */
export function sentenceWithHint({ sentence, hint }: SessionFailure): string {
  return hint ? `${sentence} ${hint}` : sentence;
}

/** Postgres messages start in lower case and have no final period; people's sentences do. */
export function toSentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The ErrorResponse fields (severity FATAL) and sentence of a session failure. */
export function describeFailure(cause: SessionFailureCause): SessionFailure {
  const error = pgErrorOf(cause);
  const told = toTunnelClient(cause, error);
  return {
    ...told,
    sentence: toSentence(told.message),
    fix: fixOf(cause),
    ...(told === error ? {} : { operatorReason: error.message }),
  };
}

/**
 * What a tunnel client is told of the gateway's own TLS set-up and checks: what went wrong, not
 * where the gateway keeps its files or what the database's certificate names (`error` says that,
 * for the gateway's log).
 */
function toTunnelClient(cause: SessionFailureCause, error: PgError): PgError {
  if (!('by' in cause) || cause.by.kind !== 'gateway') {
    return error;
  }
  const hint = "The gateway's log says why; its operator can fix it.";
  switch (cause.kind) {
    case 'certificate-rejected':
      return {
        ...error,
        message: `the gateway could not verify the database server's certificate: ${certificateSentence(cause.problem)}`,
        hint,
      };
    case 'login-failed':
      return { ...error, message: 'the gateway could not log in to the database', hint };
    default:
      return error;
  }
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
    case 'host-not-found':
      return {
        sentence: `${cause.host} does not resolve to an address (${cause.reason}): give a host name or address of this machine.`,
        fix: 'none',
      };
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

function fixOf(cause: SessionFailureCause): ErrorFix {
  switch (cause.kind) {
    case 'key-rejected':
    case 'no-database':
      return 'edit-key';
    case 'login-refused':
      return cause.by.kind === 'direct' && cause.error.code === SqlState.InvalidPassword
        ? 'edit-password'
        : 'none';
    case 'password-missing':
      return cause.by.kind === 'direct' ? 'edit-password' : 'none';
    default:
      return 'none';
  }
}

/** The start of every sentence about a failed login: who could not log in where. */
function couldNotLogIn(by: LoginParty, address: string): string {
  if (by.kind === 'gateway') {
    return 'the gateway could not log in to the database';
  }
  return `PG Tunnel could not log in to ${by.profile ? `“${by.profile}” (${address})` : address}`;
}

/** The start of every sentence about a database that could not be reached. */
function couldNotReach(by: LoginParty, address: string): string {
  if (by.kind === 'gateway') {
    return 'the gateway could not reach the database';
  }
  return `PG Tunnel could not reach ${by.profile ? `“${by.profile}” at ${address}` : address}`;
}

/** What fixes a refused or missing password of a direct connection, for its HINT. */
function passwordHint(by: LoginParty): string | undefined {
  if (by.kind === 'gateway') {
    return undefined;
  }
  return by.profile
    ? `Edit the password of “${by.profile}” in PG Tunnel.`
    : (by.passwordHint ?? 'Check the password in DATABASE_URL, or in PGPASSWORD.');
}

/**
 * Who serves a database, as a sentence names it: "this API key", "the profile “Prod”", or "this
 * tunnel" (the CLI's direct tunnel).
 */
export function servedBy(by: LoginParty): string {
  if (by.kind === 'gateway') {
    return 'this API key';
  }
  return by.profile ? `the profile “${by.profile}”` : 'this tunnel';
}

/** What fixes a key's or profile's own database that does not exist, for its HINT. */
function servedDatabaseHint(by: LoginParty): string {
  if (by.kind === 'gateway') {
    return "Ask the gateway's operator to create it, or to correct the database of this API key's upstream.";
  }
  return by.profile
    ? `Create it, or correct the database of “${by.profile}” in PG Tunnel.`
    : 'Create it, or correct the database in DATABASE_URL (or --url).';
}

/** System error codes of a failed connect, in words. */
const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved just now',
  ETIMEDOUT: 'no answer',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'no route to the network',
};

/** `detail` (what the certificate says, or the CA it was checked against) in brackets, if given. */
function certificateSentence(problem: CertificateProblem, detail?: string): string {
  const why = detail === undefined ? '' : ` (${detail})`;
  switch (problem) {
    case 'hostname':
      return `the server's certificate is for another host${why}`;
    case 'unknown-ca':
      return `the server's certificate is not signed by a trusted CA${why}`;
    case 'expired':
      return `the server's certificate has expired${why}`;
    case 'not-yet-valid':
      return `the server's certificate is not valid yet${why}`;
    case 'other':
      return `the server's certificate was not accepted${why}`;
  }
}

/**
 * Upgrade answers that mean the gateway, or what stands in front of it, is down or stopping rather
 * than refusing this client: 502/504 from a load balancer with no gateway behind it, 503 from a
 * gateway that drains. Told as 57P03, as the unreachable database is.
 */
const GATEWAY_DOWN_STATUSES = new Set([502, 503, 504]);

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
        cause.profile
          ? `Edit the API key of “${cause.profile}” in PG Tunnel.`
          : 'Check the API key of this tunnel (PDP_API_KEY or the api_key of DATABASE_URL).',
      );
    case 'no-database':
      return fatal(
        SqlState.InvalidAuthorization,
        `there is no database behind this API key${withRequestId(cause.requestId)}`,
        cause.profile
          ? `Create a database for it, or give “${cause.profile}” the API key of the environment that has one.`
          : 'Create a database for it, or use the API key of the environment that has one.',
      );
    case 'gateway-refused':
      return fatal(
        GATEWAY_DOWN_STATUSES.has(cause.status)
          ? SqlState.CannotConnectNow
          : SqlState.UnableToConnect,
        `the tunnel gateway at ${cause.url} answered ${cause.status} ${cause.statusText}${withRequestId(cause.requestId)}`,
        cause.status === HTTP_NOT_FOUND
          ? `The path is /websocket: check the end of the gateway URL (${cause.url}).`
          : undefined,
      );
    case 'gateway-unreachable':
      // 57P03 for whatever cannot be reached: libpq's ping (fe-connect.c, internal_ping; so
      // pg_isready) takes every other SQLSTATE sent while connecting as a server that is up.
      return fatal(
        SqlState.CannotConnectNow,
        `could not reach the tunnel gateway at ${cause.url}: ${cause.reason}`,
        cause.reason === TLS_TO_PLAIN_REASON
          ? 'A gateway without TLS (a local one) is reached with ws://, not wss://.'
          : undefined,
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
    case 'login-refused': {
      const hint =
        cause.error.code === SqlState.InvalidPassword ? passwordHint(cause.by) : undefined;
      return {
        ...cause.error,
        severity: 'FATAL',
        message: `${couldNotLogIn(cause.by, cause.address)}: ${cause.error.message}`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'database-error':
    case 'ended-by-server':
      return cause.error;
    case 'served-database-missing':
      return {
        ...cause.error,
        severity: 'FATAL',
        message: `database "${cause.database}", which ${servedBy(cause.by)} serves, does not exist`,
        hint: servedDatabaseHint(cause.by),
      };
    case 'database-unreachable': {
      if (cause.by.kind === 'gateway') {
        return fatal(
          SqlState.CannotConnectNow,
          `the gateway could not reach the database (${cause.reason})`,
        );
      }
      const words = CONNECT_ERRORS[cause.reason];
      return fatal(
        SqlState.CannotConnectNow,
        `${couldNotReach(cause.by, cause.address)}: ${words ? `${words} (${cause.reason})` : cause.reason}`,
      );
    }
    case 'connect-timeout': {
      const why = `no answer within ${cause.seconds} s (connect_timeout), stalled ${STAGE_WORDS[cause.stage]}`;
      return fatal(
        SqlState.CannotConnectNow,
        `${couldNotReach(cause.by, cause.address)}: ${why}`,
        'Check that the database server is up and answering, or raise connect_timeout.',
      );
    }
    case 'no-suitable-server':
      return fatal(
        SqlState.UnableToConnect,
        cause.by.kind === 'gateway'
          ? `the gateway found no database server that is ${cause.wanted} (target_session_attrs)`
          : `PG Tunnel found no server that is ${cause.wanted} (target_session_attrs=${cause.wanted}): ${cause.found.join(', ')}`,
        'Check which of the hosts is the primary, or change target_session_attrs.',
      );
    case 'client-gone':
      return fatal(
        SqlState.ConnectionFailure,
        'the client went away while its database connection was being opened',
      );
    case 'tls-refused':
      return fatal(
        SqlState.UnableToConnect,
        `${couldNotLogIn(cause.by, cause.address)}: the server does not accept TLS, and sslmode=${cause.sslMode} requires it`,
      );
    case 'certificate-rejected':
      return fatal(
        SqlState.UnableToConnect,
        `${couldNotLogIn(cause.by, cause.address)}: ${certificateSentence(cause.problem, cause.detail)}`,
      );
    case 'password-missing':
      return cause.by.kind === 'gateway'
        ? fatal(
            SqlState.UnableToConnect,
            'the gateway could not log in to the database: the database asks for a password and the gateway has none for this key',
          )
        : fatal(
            SqlState.InvalidPassword,
            `${couldNotLogIn(cause.by, cause.address)}: the database asks for a password, and none is saved`,
            passwordHint(cause.by),
          );
    case 'login-failed':
      return fatal(
        SqlState.UnableToConnect,
        `${couldNotLogIn(cause.by, cause.address)}: ${cause.reason}`,
      );
    case 'database-lost':
      return fatal(
        SqlState.ConnectionFailure,
        `the connection to the database at ${cause.address} was lost (${cause.reason})`,
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
