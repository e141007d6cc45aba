import type { Socket } from 'node:net';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import { tlsServerEndPoint } from '../upstream/channel-binding.js';
import { AuthRequest, BackendMessage } from '../pgwire/codes.js';
import { encodeErrorResponse, SqlState, type PgError } from '../pgwire/error-response.js';
import { FrameReader } from '../pgwire/frame-reader.js';
import { ScramServer, type ScramVerifier } from '../pgwire/scram-server.js';

/** The frontend's SASLInitialResponse and SASLResponse ('p'). */
const PASSWORD_MESSAGE = 0x70;

/** Whether the local login let the client in; when not, it was told why and closed. */
export type LocalLoginOutcome = { ok: true; afterLogin: Buffer } | { ok: false; reason: string };

/**
 * The local port's own login, before anything is opened on the far side: SCRAM-SHA-256 against
 * `verifier` (the profile's local password), SCRAM-SHA-256-PLUS bound to the local certificate
 * when the client came in over TLS, as a Postgres with `scram-sha-256` in pg_hba.conf does it
 * (protocol-flow.html, "Start-up"; sasl-authentication.html). On success the client has received
 * SASLFinal and AuthenticationOk; the far side's own AuthenticationOk is then not sent again (see
 * withoutAuthenticationOk). A wrong password gets FATAL 28P01, a client with none (psql -w) closes
 * on its own; silence past `timeoutMs` closes with nothing sent, like authentication_timeout.
 *
 * @param afterStartup what the client sent after its StartupMessage (nothing, from a client
 *   that waits for the authentication request, as every one does).
 * @returns the bytes the client sent after its last SASL message, for the far side.
 */
export function logInLocally(
  socket: Socket,
  user: string,
  verifier: ScramVerifier,
  afterStartup: Buffer,
  timeoutMs: number,
): Promise<LocalLoginOutcome> {
  const endPoint =
    socket instanceof TLSSocket
      ? tlsServerEndPoint((socket.getCertificate() as PeerCertificate).raw)
      : undefined;
  const scram = new ScramServer(verifier, user, endPoint);
  const reader = new FrameReader();
  reader.push(afterStartup);
  let step: 'initial' | 'final' = 'initial';
  socket.write(authentication(AuthRequest.SASL, mechanismList(scram.mechanisms)));
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(
      () => settle({ ok: false, reason: `no login within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    const settle = (outcome: LocalLoginOutcome): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (!outcome.ok && !socket.destroyed) {
        socket.end(() => socket.destroy());
      }
      resolve(outcome);
    };
    const refuse = (error: PgError): void => {
      socket.write(encodeErrorResponse(error));
      settle({ ok: false, reason: `the local login failed: ${error.message}` });
    };
    const onClose = (): void =>
      settle({ ok: false, reason: 'the client closed during the local login (no password?)' });
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      try {
        for (let frame = reader.next(); frame && !settled; frame = reader.next()) {
          if (frame.type !== PASSWORD_MESSAGE) {
            refuse(violation(`expected SASL response, got message type ${frame.type}`));
            return;
          }
          const answer =
            step === 'initial'
              ? scram.first(...initialResponse(frame.body))
              : scram.final(frame.body.toString());
          if (!answer.ok) {
            refuse(answer.error);
            return;
          }
          if (step === 'initial') {
            step = 'final';
            socket.write(authentication(AuthRequest.SASLContinue, Buffer.from(answer.message)));
          } else {
            socket.write(
              Buffer.concat([
                authentication(AuthRequest.SASLFinal, Buffer.from(answer.message)),
                authentication(AuthRequest.Ok, Buffer.alloc(0)),
              ]),
            );
            settle({ ok: true, afterLogin: reader.rest() });
          }
        }
      } catch (error) {
        refuse(violation((error as Error).message));
      }
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
    onData(Buffer.alloc(0));
  });
}

/** A NegotiateProtocolVersion is a few names long: past this the stream is not an opening. */
const MAX_NEGOTIATION_FRAME_BYTES = 64 * 1024;

/**
 * Takes the far side's first AuthenticationOk out of the stream it sends the client (what comes
 * before it, a NegotiateProtocolVersion, stays): after a local login the client has had its
 * AuthenticationOk. It reads the stream, not its chunks, since message boundaries carry no
 * meaning (a gateway may split its answer anywhere): bytes are held back only while the opening
 * is incomplete. A stream that does not start that way (an error) passes unchanged.
 */
export class AuthenticationOkFilter {
  private held: Buffer | undefined;
  /** The opening has been read: from now on every chunk passes as it is. */
  done = false;

  /** The bytes to pass on for `chunk`: empty while the opening is still incomplete. */
  push(chunk: Buffer): Buffer {
    if (this.done) {
      return chunk;
    }
    const bytes = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = undefined;
    let offset = 0;
    while (offset + 5 <= bytes.length) {
      const type = bytes[offset]!;
      const length = bytes.readInt32BE(offset + 1);
      if (type === BackendMessage.Authentication && length === 8) {
        if (offset + 9 > bytes.length) {
          break;
        }
        this.done = true;
        return bytes.readInt32BE(offset + 5) === AuthRequest.Ok
          ? Buffer.concat([bytes.subarray(0, offset), bytes.subarray(offset + 9)])
          : bytes;
      }
      if (
        type !== BackendMessage.NegotiateProtocolVersion ||
        length > MAX_NEGOTIATION_FRAME_BYTES
      ) {
        this.done = true;
        return bytes;
      }
      offset += 1 + length;
    }
    this.held = bytes;
    return Buffer.alloc(0);
  }
}

/** `bytes`, a whole opening (a login's first bytes), with its AuthenticationOk taken out. */
export function withoutAuthenticationOk(bytes: Buffer): Buffer {
  return new AuthenticationOkFilter().push(bytes);
}

/** SASLInitialResponse: mechanism (C string), then Int32 length (-1: none) and the data. */
function initialResponse(body: Buffer): [string, string] {
  const end = body.indexOf(0);
  if (end < 0 || end + 5 > body.length) {
    throw new Error('invalid SASL initial response');
  }
  const length = body.readInt32BE(end + 1);
  const data = length < 0 ? Buffer.alloc(0) : body.subarray(end + 5, end + 5 + length);
  return [body.toString('utf8', 0, end), data.toString()];
}

function mechanismList(mechanisms: string[]): Buffer {
  return Buffer.from(mechanisms.map((name) => `${name}\0`).join('') + '\0');
}

/** An Authentication ('R') message: the request code, then its data. */
function authentication(request: number, data: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header[0] = BackendMessage.Authentication;
  header.writeInt32BE(8 + data.length, 1);
  header.writeInt32BE(request, 5);
  return Buffer.concat([header, data]);
}

function violation(message: string): PgError {
  return { severity: 'FATAL', code: SqlState.ProtocolViolation, message };
}
