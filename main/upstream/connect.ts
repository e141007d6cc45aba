import { connect as connectTcp, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { PgError } from '../pgwire/error-response.js';
import type { ScramKeyCache } from '../pgwire/scram.js';
import { encodeStartupMessage, type StartupMessage } from '../pgwire/startup.js';
import { ConnectDeadline } from './connect-deadline.js';
import type { UpstreamConnection } from './connection.js';
import { connectToHosts, hostsOf } from './host-list.js';
import { logIn } from './login.js';
import { isUnixSocketHost } from '../../shared/direct-upstream.js';
import { addressOf, unixSocketPath, type SslMode, type UpstreamTarget } from './target.js';
import { startTls } from './tls.js';
import { UpstreamError } from './upstream-error.js';

export { UpstreamError } from './upstream-error.js';

export type { UpstreamConnection } from './connection.js';

/** What the client asked for, and what the connector makes of it. */
export interface UpstreamRequest {
  /** The client's StartupMessage: its version and every parameter but user are passed on. */
  startup: StartupMessage;
  /** The database to log in to (the caller's rule); the client's `database` is not used. */
  database: string;
  /** A NoticeResponse to give the client once the login succeeded, before ReadyForQuery. */
  notice?: PgError;
}

/**
 * How each sslmode tries, in order (libpq, fe-connect.c): `tls` insists on TLS; `tls-if-offered`
 * goes on in plain text when the server answers the SSLRequest 'N'; `plain` sends none.
 * allow's TLS attempt and prefer's plain one are second tries, made only when the first ended in
 * an error from the server (prefer's also when the TLS handshake failed).
 */
type Attempt = 'tls' | 'tls-if-offered' | 'plain';
const ATTEMPTS: Record<SslMode, Attempt[]> = {
  disable: ['plain'],
  allow: ['plain', 'tls-if-offered'],
  prefer: ['tls-if-offered', 'plain'],
  require: ['tls'],
  'verify-ca': ['tls'],
  'verify-full': ['tls'],
};

/**
 * Opens a connection to the upstream and logs in with the target's own credentials, passing on the
 * client's protocol version and every startup parameter it sent (options, replication, GUCs,
 * `_pq_.` options) but user (the target's role) and database (`request.database`). TLS, its
 * certificate checks and channel binding are libpq's for the target's sslmode, sslrootcert and
 * channel_binding (see startTls, logIn). The upstream negotiates the version as it does with any
 * client, and its NegotiateProtocolVersion reaches the client.
 *
 * @throws UpstreamError: `login-refused` when the upstream refuses the credentials (SQLSTATE class
 *   28), `served-database-missing` when the target's own database does not exist,
 *   `database-error` with the upstream's error as sent for anything else it refuses (a bad
 *   option, a database the client named that does not exist, a role without REPLICATION),
 *   `database-unreachable`,
 *   `tls-refused`, `certificate-rejected`, `password-missing` or `login-failed`. When both tries
 *   were refused by the server, the refusal over TLS is the one thrown, as it says more.
 *   `connect-timeout` when every stage together took longer than the target's connect_timeout
 *   (both tries share it, as in libpq), `client-gone` once `signal` aborts; either way the socket
 *   is closed at once. With several hosts, each is tried in turn (see connectToHosts), and
 *   `no-suitable-server` says that none was what target_session_attrs asks.
 */
export async function connectUpstream(
  target: UpstreamTarget,
  request: UpstreamRequest,
  scramKeys: ScramKeyCache,
  signal?: AbortSignal,
): Promise<UpstreamConnection> {
  return connectToHosts(target, async (host) => {
    const deadline = new ConnectDeadline(host, signal);
    try {
      return await trySslModes(host, request, scramKeys, deadline);
    } finally {
      deadline.done();
    }
  });
}

async function trySslModes(
  target: UpstreamTarget,
  request: UpstreamRequest,
  scramKeys: ScramKeyCache,
  deadline: ConnectDeadline,
): Promise<UpstreamConnection> {
  // libpq never asks for TLS over a Unix socket, whatever the sslmode (fe-connect.c).
  const attempts = isUnixSocketHost(target.host) ? ATTEMPTS.disable : ATTEMPTS[target.sslMode];
  let tlsError: UpstreamError | undefined;
  for (let i = 0; ; i++) {
    const outcome = await tryOnce(target, request, scramKeys, attempts[i]!, deadline);
    if (outcome.ok) {
      return outcome.connection;
    }
    const { error, usedTls, handshakeFailed } = outcome;
    if (deadline.passed) {
      throw error;
    }
    const serverSaidNo = fromServer(error);
    if (usedTls && serverSaidNo) {
      tlsError ??= error;
    }
    const secondTry =
      i + 1 < attempts.length &&
      (target.sslMode === 'allow' ? serverSaidNo : (usedTls && serverSaidNo) || handshakeFailed);
    if (!secondTry) {
      // Two refusals from the server: the one over TLS says more (the plain one is usually
      // pg_hba.conf turning plain text away). A failure on this side is the decisive one.
      throw tlsError && serverSaidNo ? tlsError : error;
    }
  }
}

type TryOutcome =
  | { ok: true; connection: UpstreamConnection }
  | {
      ok: false;
      error: UpstreamError;
      /** TLS was up when the error came. */
      usedTls: boolean;
      /** The SSLRequest or the TLS handshake itself failed. */
      handshakeFailed: boolean;
    };

async function tryOnce(
  target: UpstreamTarget,
  request: UpstreamRequest,
  scramKeys: ScramKeyCache,
  attempt: Attempt,
  deadline: ConnectDeadline,
): Promise<TryOutcome> {
  let tcp: Socket;
  try {
    tcp = await openTcp(target, deadline);
  } catch (error) {
    const told = deadline.explain(error) as UpstreamError;
    return { ok: false, error: told, usedTls: false, handshakeFailed: false };
  }
  let tls: TLSSocket | undefined;
  let handshakeFailed = false;
  try {
    tls = await negotiate(tcp, target, attempt, deadline).catch((error: UpstreamError) => {
      handshakeFailed = error.cause.kind === 'login-failed';
      throw error;
    });
    const socket = tls ?? tcp;
    deadline.watch(socket);
    deadline.stage = 'login';
    const { user: _user, database: _database, ...passedOn } = request.startup.parameters;
    const parameters: Record<string, string> = {
      user: target.user,
      database: request.database,
      ...passedOn,
    };
    // The target's options first, so that the client's, read later by the server, win.
    const options = [target.options, passedOn['options']].filter(Boolean).join(' ');
    if (options) {
      parameters.options = options;
    }
    socket.write(encodeStartupMessage(parameters, request.startup.protocolVersion));
    const firstBytes = await logIn(socket, tls, target, scramKeys, request);
    return { ok: true, connection: { socket, firstBytes } };
  } catch (caught) {
    tcp.destroy();
    tls?.destroy();
    const error = deadline.explain(caught);
    if (!(error instanceof UpstreamError)) {
      throw error;
    }
    return { ok: false, error, usedTls: tls !== undefined, handshakeFailed };
  }
}

/** TLS as the attempt asks: the TLS socket, or undefined to go on in plain text. */
async function negotiate(
  tcp: Socket,
  target: UpstreamTarget,
  attempt: Attempt,
  deadline: ConnectDeadline,
): Promise<TLSSocket | undefined> {
  if (attempt === 'plain') {
    return undefined;
  }
  const tls = await startTls(tcp, target, deadline);
  if (!tls && attempt === 'tls') {
    throw new UpstreamError({
      kind: 'tls-refused',
      sslMode: target.sslMode,
      by: target.by,
      address: addressOf(target),
    });
  }
  return tls;
}

/** The server itself answered with an error (an ErrorResponse during login). */
function fromServer(error: UpstreamError): boolean {
  return ['login-refused', 'database-error', 'served-database-missing'].includes(error.cause.kind);
}

/**
 * Passes a client's CancelRequest to the upstream on a connection of its own, as Postgres wants,
 * encrypted as the sslmode's first try is (Postgres reads cancel requests on plain or TLS
 * connections alike). With several hosts it goes to each (the session's server is the one that
 * knows the key; the others ignore it). Resolves once the packet is handed over.
 *
 * @throws UpstreamError when no host can be reached, or TLS fails where required.
 */
export async function forwardCancel(target: UpstreamTarget, packet: Buffer): Promise<void> {
  await onAnyHost(target, (host) => cancelOn(host, packet));
}

/**
 * Runs `work` on every host of `target` at once; resolves when it succeeded on one of them.
 *
 * @throws the first host's error when it failed on all of them.
 */
async function onAnyHost(
  target: UpstreamTarget,
  work: (host: UpstreamTarget) => Promise<void>,
): Promise<void> {
  const outcomes = await Promise.allSettled(hostsOf(target).map(work));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed && !outcomes.some((outcome) => outcome.status === 'fulfilled')) {
    throw failed.reason;
  }
}

/**
 * Opens a TCP connection to the upstream and closes it at once: no TLS, no login, and nothing in
 * the database's log (Postgres ends a connection that sent nothing without a word, as for
 * pg_isready), so a tunnel can say that a host refuses before its first client. With several
 * hosts, each is tried at once; resolves when one port accepted.
 *
 * @throws UpstreamError ('database-unreachable') when none did (refused, no such host, no answer).
 */
export async function probeUpstream(target: UpstreamTarget): Promise<void> {
  await onAnyHost(target, async (host) => {
    const deadline = new ConnectDeadline(host);
    try {
      (await openTcp(host, deadline)).destroy();
    } catch (error) {
      throw deadline.explain(error);
    } finally {
      deadline.done();
    }
  });
}

async function cancelOn(target: UpstreamTarget, packet: Buffer): Promise<void> {
  const deadline = new ConnectDeadline(target);
  try {
    const tcp = await openTcp(target, deadline);
    try {
      const first = isUnixSocketHost(target.host) ? 'plain' : ATTEMPTS[target.sslMode][0]!;
      const socket = (await negotiate(tcp, target, first, deadline)) ?? tcp;
      await new Promise<void>((resolve) => socket.end(packet, resolve));
    } finally {
      tcp.destroy();
    }
  } catch (error) {
    throw deadline.explain(error);
  } finally {
    deadline.done();
  }
}

/** TCP to the target, its name resolved first (the deadline's `dns` stage, then `tcp`). */
function openTcp(target: UpstreamTarget, deadline: ConnectDeadline): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const unix = isUnixSocketHost(target.host);
    deadline.stage = unix ? 'tcp' : 'dns';
    const socket = unix
      ? connectTcp({ path: unixSocketPath(target) })
      : connectTcp({ host: target.hostaddr ?? target.host, port: target.port, noDelay: true });
    deadline.watch(socket);
    socket.once('lookup', () => (deadline.stage = 'tcp'));
    socket.once('connect', () => resolve(socket));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new UpstreamError({
          kind: 'database-unreachable',
          reason: error.code ?? error.message,
          by: target.by,
          address: addressOf(target),
        }),
      );
    });
  });
}
