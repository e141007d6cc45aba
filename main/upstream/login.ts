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
import { FrameReader, type Frame } from '../pgwire/frame-reader.js';
import { md5PasswordHash } from '../pgwire/md5.js';
import {
  SCRAM_SHA_256,
  SCRAM_SHA_256_PLUS,
  ScramClient,
  type ScramChannelBinding,
  type ScramKeyCache,
} from '../pgwire/scram.js';
import { tlsServerEndPoint } from './channel-binding.js';
import { readRequireAuth } from '../../shared/connection-string.js';
import { passwordFromPassfile } from './passfile.js';
import { addressOf, type UpstreamTarget } from './target.js';
import { loginFailed } from './upstream-error.js';
import { UpstreamError } from './upstream-error.js';

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
  request: { database: string; notice?: PgError },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    new LoginExchange(socket, tls, target, scramKeys, request, resolve, reject).start();
  });
}

/** One login's state, as the socket's listeners (methods: no closure per frame). */
class LoginExchange {
  private readonly reader = new FrameReader();
  private scram: ScramClient | undefined;
  private readonly negotiation: Buffer[] = [];
  /** The server asked for a password or SASL: an AuthenticationOk then is not `none`. */
  private asked = false;
  /** AuthenticationOk and what followed it, once it came: held until ReadyForQuery. */
  private authenticated: Buffer[] | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly tls: TLSSocket | undefined,
    private readonly target: UpstreamTarget,
    private readonly scramKeys: ScramKeyCache,
    private readonly request: { database: string; notice?: PgError },
    private readonly resolve: (firstBytes: Buffer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** Listens; the caller's connect deadline ends a login that stalls (see ConnectDeadline). */
  start(): void {
    this.socket.on('data', this.onData);
    this.socket.on('close', this.onClose);
  }

  private readonly onClose = (): void =>
    this.finish(this.failed('the server closed the connection during login'));

  private readonly onData = (chunk: Buffer): void => {
    this.reader.push(chunk);
    try {
      for (let frame = this.reader.next(); frame; frame = this.reader.next()) {
        if (this.onFrame(frame)) {
          return;
        }
      }
    } catch (error) {
      this.finish(error instanceof UpstreamError ? error : this.failed((error as Error).message));
    }
  };

  /** One backend message during login; true once the login is over. @throws UpstreamError */
  private onFrame(frame: Frame): boolean {
    if (frame.type === BackendMessage.ErrorResponse) {
      throw upstreamRefusal(decodeErrorFields(frame.body), this.target, this.request.database);
    }
    if (this.authenticated) {
      if (frame.type !== BackendMessage.ReadyForQuery) {
        this.authenticated.push(frame.raw);
        return false;
      }
      const { notice } = this.request;
      this.finish(
        undefined,
        concatUnpooled([
          ...this.negotiation,
          ...this.authenticated,
          ...(notice ? [encodeNoticeResponse(notice)] : []),
          frame.raw,
          this.reader.rest(),
        ]),
      );
      return true;
    }
    if (frame.type === BackendMessage.NegotiateProtocolVersion) {
      this.negotiation.push(frame.raw); // the client negotiates with the upstream itself
      return false;
    }
    if (frame.type === BackendMessage.NoticeResponse) {
      return false; // no client accepts one before AuthenticationOk
    }
    if (frame.type !== BackendMessage.Authentication || frame.body.length < 4) {
      throw this.failed(`unexpected message '${String.fromCharCode(frame.type)}' during login`);
    }
    this.authenticate(frame.body.readInt32BE(0), frame.body.subarray(4), frame.raw);
    return false;
  }

  /** Answers one Authentication request (`request`, its `data`). @throws UpstreamError */
  private authenticate(request: number, data: Buffer, raw: Buffer): void {
    const { socket, target } = this;
    this.checkRequireAuth(request);
    switch (request) {
      case AuthRequest.Ok:
        // libpq's rule too (fe-auth-scram.c): a SCRAM exchange counts once the server's
        // signature is checked, and only then is the login bound to the connection.
        if (this.scram && !this.scram.finished) {
          throw this.failed(
            'the server ended the SCRAM exchange without proving it knows the password',
          );
        }
        if (target.channelBinding === 'require' && this.scram?.mechanism !== SCRAM_SHA_256_PLUS) {
          throw this.failed(
            'the server let the login through without channel binding, and channel_binding=require insists on it',
          );
        }
        this.authenticated = [raw];
        return;
      case AuthRequest.CleartextPassword:
        this.unbound('a password in clear text');
        socket.write(serialize.password(this.password()));
        return;
      case AuthRequest.MD5Password:
        this.unbound('an md5 password');
        socket.write(serialize.password(md5PasswordHash(target.user, this.password(), data)));
        return;
      case AuthRequest.SASL:
        this.scram = new ScramClient(
          this.password(),
          this.scramKeys,
          channelBinding(data, this.tls, target),
        );
        socket.write(
          serialize.sendSASLInitialResponseMessage(this.scram.mechanism, this.scram.firstMessage()),
        );
        return;
      case AuthRequest.SASLContinue:
        socket.write(
          serialize.sendSCRAMClientFinalMessage(
            scramStep(this.scram).finalMessage(data.toString('utf8')),
          ),
        );
        return;
      case AuthRequest.SASLFinal:
        scramStep(this.scram).verifyServerFinal(data.toString('utf8'));
        return;
      default:
        throw this.failed(
          `the server asks for an authentication method PG Tunnel does not speak (${request})`,
        );
    }
  }

  private finish(error: Error | undefined, firstBytes?: Buffer): void {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    if (error) {
      this.reject(error);
    } else {
      this.socket.pause();
      this.resolve(firstBytes!);
    }
  }

  private failed(reason: string): UpstreamError {
    return loginFailed(this.target, reason);
  }

  /**
   * The target's password, else the password file's entry for it, as libpq looks one up.
   *
   * @throws UpstreamError `password-missing` when there is neither.
   */
  private password(): string {
    const { target } = this;
    const password =
      target.password ??
      passwordFromPassfile({
        passfile: target.passfile,
        host: target.host,
        port: target.port,
        database: this.request.database,
        user: target.user,
      });
    if (password === undefined) {
      throw new UpstreamError({
        kind: 'password-missing',
        by: this.target.by,
        address: addressOf(this.target),
      });
    }
    return password;
  }

  /**
   * libpq's require_auth (fe-auth.c, check_expected_areq): the server's method must be among those
   * listed (or not among those negated); `none` is a server that lets the client in without asking.
   * Checked before any password is sent.
   *
   * @throws UpstreamError `login-failed` naming the method.
   */
  private checkRequireAuth(request: number): void {
    const rule = this.target.requireAuth;
    if (
      rule === undefined ||
      request === AuthRequest.SASLContinue ||
      request === AuthRequest.SASLFinal
    ) {
      return;
    }
    const method =
      request === AuthRequest.Ok ? (this.asked ? undefined : 'none') : AUTH_METHOD[request];
    this.asked = true;
    if (method === undefined) {
      return;
    }
    const { negated, methods } = readRequireAuth(rule, 'require_auth');
    if (methods.includes(method) === negated) {
      throw this.failed(
        `the server ${method === 'none' ? 'asks for no authentication' : `asks for ${method} authentication`}, which require_auth=${rule} does not allow`,
      );
    }
  }

  /** A method that cannot be bound: refused before a password is sent under channel_binding=require. */
  private unbound(method: string): void {
    if (this.target.channelBinding === 'require') {
      throw this.failed(
        `the server asks for ${method}, which cannot be bound to the connection, and channel_binding=require insists on it`,
      );
    }
  }
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

/** require_auth's name of each Authentication request that asks for a method. */
const AUTH_METHOD: Record<number, string> = {
  [AuthRequest.CleartextPassword]: 'password',
  [AuthRequest.MD5Password]: 'md5',
  [AuthRequest.SASL]: 'scram-sha-256',
};

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

/**
 * Buffer.concat into memory of its own. The login's first bytes live as long as the session, and
 * a small Buffer.concat is a slice of Node's shared 8 KiB pool, which the slice keeps alive whole:
 * measured at the gateway with 1,000 idle sessions, 1.1 KB of pool per session, for 0.4 KB of
 * bytes.
 */
function concatUnpooled(parts: Buffer[]): Buffer {
  const joined = Buffer.allocUnsafeSlow(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    at += part.copy(joined, at);
  }
  return joined;
}
