import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { connect as connectTls } from 'node:tls';
import { serialize } from 'pg-protocol';
import { AuthRequest, BackendMessage, SSL_ACCEPTED } from '../pgwire/codes.js';
import {
  decodeErrorFields,
  encodeNoticeResponse,
  SqlState,
  type PgError,
} from '../pgwire/error-response.js';
import { SessionFailureError } from '../pgwire/failure.js';
import { FrameReader } from '../pgwire/frame-reader.js';
import { md5PasswordHash } from '../pgwire/md5.js';
import { SCRAM_SHA_256, ScramClient, type ScramKeyCache } from '../pgwire/scram.js';
import { encodeStartupMessage, type StartupMessage } from '../pgwire/startup.js';
import type { UpstreamTarget } from './target.js';

/** A failed login: its typed cause, and the error the client will be shown. */
export class UpstreamError extends SessionFailureError {}

export interface UpstreamConnection {
  /** Paused; the caller resumes it once it listens for data. */
  socket: Socket;
  /**
   * What the client is to receive first: the upstream's NegotiateProtocolVersion if it sent one,
   * AuthenticationOk, the notice asked for, then whatever followed AuthenticationOk.
   */
  firstBytes: Buffer;
}

/** What the client asked for, and what the connector makes of it. */
export interface UpstreamRequest {
  /** The client's StartupMessage: its version and every parameter but user are passed on. */
  startup: StartupMessage;
  /** The database to log in to (the caller's rule); the client's `database` is not used. */
  database: string;
  /** A NoticeResponse to give the client right after AuthenticationOk. */
  notice?: PgError;
}

export const UPSTREAM_LOGIN_TIMEOUT_MS = 15_000;

/**
 * Opens a connection to the upstream and logs in with the key's own credentials, passing on the
 * client's protocol version and every startup parameter it sent (options, replication, GUCs,
 * `_pq_.` options) but user (the key's role) and database (`request.database`). The upstream
 * negotiates the version as it does with any client, and its NegotiateProtocolVersion reaches the
 * client. Rejects with an UpstreamError: `login-refused` when the upstream refuses the key's own
 * credentials (SQLSTATE class 28), `database-error` with the upstream's error as sent for anything
 * else it refuses (a bad option, a database that does not exist, a role without REPLICATION), and
 * `database-unreachable` when it cannot be reached.
 */
export async function connectUpstream(
  target: UpstreamTarget,
  request: UpstreamRequest,
  scramKeys: ScramKeyCache,
): Promise<UpstreamConnection> {
  const tcp = await openTcp(target);
  try {
    const socket = await negotiateTls(tcp, target);
    const { user: _user, database: _database, ...passedOn } = request.startup.parameters;
    const parameters = { user: target.user, database: request.database, ...passedOn };
    socket.write(encodeStartupMessage(parameters, request.startup.protocolVersion));
    const firstBytes = await logIn(socket, target, scramKeys, request.notice);
    return { socket, firstBytes };
  } catch (error) {
    tcp.destroy();
    throw error;
  }
}

/** Passes a client's CancelRequest to the upstream on a connection of its own, as Postgres wants. */
export async function forwardCancel(target: UpstreamTarget, packet: Buffer): Promise<void> {
  const tcp = await openTcp(target);
  try {
    // Postgres reads cancel requests on plain or TLS connections alike; honour the key's sslmode.
    const socket = await negotiateTls(tcp, target);
    await new Promise<void>((resolve) => socket.end(packet, resolve));
  } finally {
    tcp.destroy();
  }
}

function openTcp(target: UpstreamTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: target.host, port: target.port, noDelay: true });
    // A timer of our own, not socket.setTimeout: that one leaves its callback and a spent timer on
    // the socket for as long as the session lasts.
    const timer = setTimeout(
      () => socket.destroy(new Error(`no answer within ${UPSTREAM_LOGIN_TIMEOUT_MS / 1000} s`)),
      UPSTREAM_LOGIN_TIMEOUT_MS,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new UpstreamError({
          kind: 'database-unreachable',
          reason: error.code ?? error.message,
        }),
      );
    });
  });
}

/** SSLRequest when the sslmode asks for it; resolves to the socket to speak Postgres on. */
async function negotiateTls(socket: Socket, target: UpstreamTarget): Promise<Socket> {
  if (target.sslMode === 'disable') {
    return socket;
  }
  socket.write(serialize.requestSsl());
  const answer = await readBytes(socket, 1);
  if (answer[0] !== SSL_ACCEPTED) {
    if (target.sslMode === 'prefer') {
      return socket;
    }
    throw loginError(
      `the database does not accept TLS, but the gateway's sslmode is ${target.sslMode}`,
    );
  }
  const tls = connectTls({
    socket,
    // SNI takes host names only; an IP address is checked against the certificate all the same.
    ...(isIP(target.host) ? {} : { servername: target.host }),
    rejectUnauthorized: target.sslMode === 'verify-ca' || target.sslMode === 'verify-full',
    ...(target.sslRootCert ? { ca: readFileSync(target.sslRootCert) } : {}),
    // verify-ca checks the chain, not the name; require and prefer check nothing, like libpq.
    ...(target.sslMode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
  });
  await new Promise<void>((resolve, reject) => {
    tls.once('secureConnect', resolve);
    tls.once('error', (error) =>
      reject(loginError(`TLS to the database failed: ${error.message}`)),
    );
  });
  tls.setNoDelay(true);
  return tls;
}

function readBytes(socket: Socket, count: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      cleanup();
      // More than asked for here would be bytes injected before the TLS handshake (CVE-2021-23222).
      if (chunk.length !== count) {
        reject(loginError('the database answered the SSLRequest with unexpected bytes'));
      } else {
        resolve(chunk);
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(loginError('the database closed the connection during the TLS negotiation'));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/**
 * Runs the authentication exchange; resolves when AuthenticationOk arrives, with what the client is
 * to receive first (see UpstreamConnection.firstBytes).
 */
function logIn(
  socket: Socket,
  target: UpstreamTarget,
  scramKeys: ScramKeyCache,
  notice: PgError | undefined,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader();
    let scram: ScramClient | undefined;
    const negotiation: Buffer[] = [];

    const finish = (error: Error | undefined, firstBytes?: Buffer): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      clearTimeout(timer);
      if (error) {
        reject(error);
      } else {
        socket.pause();
        resolve(firstBytes!);
      }
    };
    const onClose = (): void =>
      finish(loginError('the database closed the connection during login'));
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      try {
        for (let frame = reader.next(); frame; frame = reader.next()) {
          if (frame.type === BackendMessage.ErrorResponse) {
            throw upstreamRefusal(decodeErrorFields(frame.body));
          }
          if (frame.type === BackendMessage.NegotiateProtocolVersion) {
            negotiation.push(frame.raw); // the client negotiates with the upstream itself
            continue;
          }
          if (frame.type === BackendMessage.NoticeResponse) {
            continue; // no client accepts one before AuthenticationOk
          }
          if (frame.type !== BackendMessage.Authentication || frame.body.length < 4) {
            throw loginError(
              `unexpected message '${String.fromCharCode(frame.type)}' during login`,
            );
          }
          const request = frame.body.readInt32BE(0);
          const data = frame.body.subarray(4);
          switch (request) {
            case AuthRequest.Ok:
              finish(
                undefined,
                Buffer.concat([
                  ...negotiation,
                  frame.raw,
                  ...(notice ? [encodeNoticeResponse(notice)] : []),
                  reader.rest(),
                ]),
              );
              return;
            case AuthRequest.CleartextPassword:
              socket.write(serialize.password(requirePassword(target)));
              break;
            case AuthRequest.MD5Password:
              socket.write(
                serialize.password(md5PasswordHash(target.user, requirePassword(target), data)),
              );
              break;
            case AuthRequest.SASL: {
              const mechanisms = data.toString('utf8').split('\0');
              if (!mechanisms.includes(SCRAM_SHA_256)) {
                throw loginError(
                  `the database offers no SASL mechanism the gateway speaks (${mechanisms.join(' ')})`,
                );
              }
              scram = new ScramClient(requirePassword(target), scramKeys);
              socket.write(
                serialize.sendSASLInitialResponseMessage(SCRAM_SHA_256, scram.firstMessage()),
              );
              break;
            }
            case AuthRequest.SASLContinue:
              socket.write(
                serialize.sendSCRAMClientFinalMessage(
                  scramStep(scram).finalMessage(data.toString('utf8')),
                ),
              );
              break;
            case AuthRequest.SASLFinal:
              scramStep(scram).verifyServerFinal(data.toString('utf8'));
              break;
            default:
              throw loginError(
                `the database asks for an authentication method the gateway does not speak (${request})`,
              );
          }
        }
      } catch (error) {
        finish(error instanceof UpstreamError ? error : loginError((error as Error).message));
      }
    };
    const timer = setTimeout(
      () =>
        finish(
          loginError(
            `the database did not complete the login within ${UPSTREAM_LOGIN_TIMEOUT_MS / 1000} s`,
          ),
        ),
      UPSTREAM_LOGIN_TIMEOUT_MS,
    );
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

function scramStep(scram: ScramClient | undefined): ScramClient {
  if (!scram) {
    throw new Error('the database sent a SCRAM message out of order');
  }
  return scram;
}

function requirePassword(target: UpstreamTarget): string {
  if (target.password === undefined) {
    throw loginError('the database asks for a password and the gateway has none for this key');
  }
  return target.password;
}

/** A login that broke down on the gateway's side: TLS, a missing password, a protocol surprise. */
function loginError(message: string): UpstreamError {
  return new UpstreamError({
    kind: 'login-refused',
    error: { severity: 'FATAL', code: SqlState.UnableToConnect, message },
  });
}

/** SQLSTATE class 28, invalid authorization specification: the key's role, password, pg_hba. */
const CREDENTIALS_CLASS = '28';

/**
 * An ErrorResponse of the upstream during startup: the key's credentials refused keep the
 * gateway's wording; anything else was caused by what the client asked for and reaches it as sent.
 */
function upstreamRefusal(error: PgError): UpstreamError {
  return new UpstreamError(
    error.code.startsWith(CREDENTIALS_CLASS)
      ? { kind: 'login-refused', error }
      : { kind: 'database-error', error },
  );
}
