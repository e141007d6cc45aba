import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { serialize } from 'pg-protocol';
import { AuthRequest, BackendMessage } from '../pgwire/codes.js';
import {
  decodeErrorFields,
  encodeNoticeResponse,
  SqlState,
  type PgError,
} from '../pgwire/error-response.js';
import { FrameReader } from '../pgwire/frame-reader.js';
import { md5PasswordHash } from '../pgwire/md5.js';
import {
  SCRAM_SHA_256,
  SCRAM_SHA_256_PLUS,
  ScramClient,
  type ScramChannelBinding,
  type ScramKeyCache,
} from '../pgwire/scram.js';
import { tlsServerEndPoint } from './channel-binding.js';
import { addressOf, type UpstreamTarget } from './target.js';
import { loginFailed } from './tls.js';
import { UpstreamError } from './upstream-error.js';

export const UPSTREAM_LOGIN_TIMEOUT_MS = 15_000;

/**
 * Runs the authentication exchange after the StartupMessage was sent; resolves once the session
 * is up (the first ReadyForQuery), with what the client is to receive first: the upstream's
 * NegotiateProtocolVersion if it sent one, AuthenticationOk, what followed it (ParameterStatus,
 * BackendKeyData, notices), `notice`, then ReadyForQuery and anything after it. Leaves the socket
 * paused. The backend opens the database only after AuthenticationOk (Postgres's InitPostgres), so
 * an error may still follow it: the notice goes out only once the login has succeeded, never in
 * front of a FATAL (a NoticeResponse may come at any time after AuthenticationOk:
 * protocol-flow.html, Start-up).
 *
 * Channel binding follows libpq's channel_binding (fe-auth.c, fe-auth-scram.c): over TLS, with the
 * server offering SCRAM-SHA-256-PLUS and binding not disabled, the login is bound to the
 * connection; over TLS without -PLUS the client says it could bind ('y'); `require` refuses any
 * login that ends unbound (a password or md5 request, trust, plain text) before a password is sent.
 *
 * @param tls the socket when it is a TLS connection (for the server certificate), else undefined.
 * @param database the database asked for in the StartupMessage.
 * @throws UpstreamError: `login-refused` / `database-error` for the server's ErrorResponse (class 28
 *   is the credentials), `served-database-missing` when `database` is the target's own and does
 *   not exist, `password-missing`, or `login-failed` for anything that broke down here.
 */
export function logIn(
  socket: Socket,
  tls: TLSSocket | undefined,
  target: UpstreamTarget,
  scramKeys: ScramKeyCache,
  { database, notice }: { database: string; notice?: PgError },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader();
    let scram: ScramClient | undefined;
    const negotiation: Buffer[] = [];
    /** AuthenticationOk and what followed it, once it came: held until ReadyForQuery. */
    let authenticated: Buffer[] | undefined;

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
    const failed = (reason: string): UpstreamError => loginFailed(target, reason);
    const onClose = (): void => finish(failed('the server closed the connection during login'));
    const password = (): string => {
      if (target.password === undefined) {
        throw new UpstreamError({
          kind: 'password-missing',
          by: target.by,
          address: addressOf(target),
        });
      }
      return target.password;
    };
    const unbound = (method: string): void => {
      if (target.channelBinding === 'require') {
        throw failed(
          `the server asks for ${method}, which cannot be bound to the connection, and channel_binding=require insists on it`,
        );
      }
    };
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      try {
        for (let frame = reader.next(); frame; frame = reader.next()) {
          if (frame.type === BackendMessage.ErrorResponse) {
            throw upstreamRefusal(decodeErrorFields(frame.body), target, database);
          }
          if (authenticated) {
            if (frame.type !== BackendMessage.ReadyForQuery) {
              authenticated.push(frame.raw);
              continue;
            }
            finish(
              undefined,
              Buffer.concat([
                ...negotiation,
                ...authenticated,
                ...(notice ? [encodeNoticeResponse(notice)] : []),
                frame.raw,
                reader.rest(),
              ]),
            );
            return;
          }
          if (frame.type === BackendMessage.NegotiateProtocolVersion) {
            negotiation.push(frame.raw); // the client negotiates with the upstream itself
            continue;
          }
          if (frame.type === BackendMessage.NoticeResponse) {
            continue; // no client accepts one before AuthenticationOk
          }
          if (frame.type !== BackendMessage.Authentication || frame.body.length < 4) {
            throw failed(`unexpected message '${String.fromCharCode(frame.type)}' during login`);
          }
          const request = frame.body.readInt32BE(0);
          const data = frame.body.subarray(4);
          switch (request) {
            case AuthRequest.Ok:
              // libpq's rule too (fe-auth-scram.c): a SCRAM exchange counts once the server's
              // signature is checked, and only then is the login bound to the connection.
              if (scram && !scram.finished) {
                throw failed(
                  'the server ended the SCRAM exchange without proving it knows the password',
                );
              }
              if (target.channelBinding === 'require' && scram?.mechanism !== SCRAM_SHA_256_PLUS) {
                throw failed(
                  'the server let the login through without channel binding, and channel_binding=require insists on it',
                );
              }
              authenticated = [frame.raw];
              break;
            case AuthRequest.CleartextPassword:
              unbound('a password in clear text');
              socket.write(serialize.password(password()));
              break;
            case AuthRequest.MD5Password:
              unbound('an md5 password');
              socket.write(serialize.password(md5PasswordHash(target.user, password(), data)));
              break;
            case AuthRequest.SASL: {
              scram = new ScramClient(password(), scramKeys, channelBinding(data, tls, target));
              socket.write(
                serialize.sendSASLInitialResponseMessage(scram.mechanism, scram.firstMessage()),
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
              throw failed(
                `the server asks for an authentication method PG Tunnel does not speak (${request})`,
              );
          }
        }
      } catch (error) {
        finish(error instanceof UpstreamError ? error : failed((error as Error).message));
      }
    };
    const timer = setTimeout(
      () =>
        finish(
          failed(
            `the server did not complete the login within ${UPSTREAM_LOGIN_TIMEOUT_MS / 1000} s`,
          ),
        ),
      UPSTREAM_LOGIN_TIMEOUT_MS,
    );
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/**
 * The channel binding for the SASL mechanisms the server lists (AuthenticationSASL's body: names,
 * each ended by a zero byte, then an empty one), as libpq picks it (fe-auth.c, pg_SASL_init).
 */
function channelBinding(
  list: Buffer,
  tls: TLSSocket | undefined,
  target: UpstreamTarget,
): ScramChannelBinding {
  const mechanisms = list.toString('utf8').split('\0');
  const mode = target.channelBinding;
  if (tls && mode !== 'disable' && mechanisms.includes(SCRAM_SHA_256_PLUS)) {
    return { flag: 'p', data: tlsServerEndPoint(tls.getPeerCertificate().raw) };
  }
  if (mode === 'require') {
    throw loginFailed(
      target,
      tls
        ? 'the server offers no channel binding (SCRAM-SHA-256-PLUS), and channel_binding=require insists on it'
        : 'channel_binding=require needs TLS, and the server was reached without it',
    );
  }
  if (!mechanisms.includes(SCRAM_SHA_256)) {
    throw loginFailed(
      target,
      `the server offers no SASL mechanism PG Tunnel speaks (${mechanisms.filter(Boolean).join(' ')})`,
    );
  }
  return tls && mode !== 'disable' ? { flag: 'y' } : { flag: 'n' };
}

function scramStep(scram: ScramClient | undefined): ScramClient {
  if (!scram) {
    throw new Error('the server sent a SCRAM message out of order');
  }
  return scram;
}

/** SQLSTATE class 28, invalid authorization specification: the role, its password, pg_hba. */
const CREDENTIALS_CLASS = '28';

/**
 * An ErrorResponse of the upstream during startup: refused credentials keep the wording of who
 * logs in, as does a missing database when it is the target's own (`database`, what was asked
 * for, being the target's); anything else was caused by what the client asked for and reaches it
 * as sent.
 */
function upstreamRefusal(error: PgError, target: UpstreamTarget, database: string): UpstreamError {
  if (error.code.startsWith(CREDENTIALS_CLASS)) {
    return new UpstreamError({
      kind: 'login-refused',
      error,
      by: target.by,
      address: addressOf(target),
    });
  }
  if (error.code === SqlState.InvalidCatalogName && database === target.database) {
    return new UpstreamError({ kind: 'served-database-missing', database, error, by: target.by });
  }
  return new UpstreamError({ kind: 'database-error', error });
}
