import { constants } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';

/**
 * The ALPN protocol name of the Postgres protocol (PG_ALPN_PROTOCOL in src/include/libpq/pqcomm.h,
 * registered with IANA): libpq 17 offers it, and a direct TLS connection must carry it.
 */
export const PG_ALPN_PROTOCOL = 'postgresql';

/** The local port's certificate and private key, PEM. */
export interface LocalTlsCredentials {
  cert: string;
  key: string;
}

/** The local port could not take these credentials; the message is the sentence to show. */
export class LocalTlsError extends Error {
  override readonly name = 'LocalTlsError';
}

/**
 * The TLS settings of the local port, made once per tunnel. As Postgres sets its own
 * (be_tls_init in src/backend/libpq/be-secure-openssl.c): TLS 1.2 at least (its default
 * ssl_min_protocol_version), no session tickets (clients reconnect with a full handshake, and no
 * ticket key lives in this process).
 *
 * @throws LocalTlsError when the certificate or key cannot be used.
 */
export function localTlsContext({ cert, key }: LocalTlsCredentials): SecureContext {
  try {
    return createSecureContext({
      cert,
      key,
      minVersion: 'TLSv1.2',
      secureOptions: constants.SSL_OP_NO_TICKET,
    });
  } catch (error) {
    throw new LocalTlsError(
      `The certificate for TLS on the local port cannot be used (${(error as Error).message}).`,
      { cause: error },
    );
  }
}

/** The outcome of a handshake: the TLS socket to go on with, or why the connection was closed. */
export type TlsHandshake = { ok: true; socket: TLSSocket } | { ok: false; reason: string };

/** The reason logged when the client leaves before its handshake is through. */
const CLOSED_DURING_HANDSHAKE = 'the client closed the connection during the TLS handshake';

/**
 * Runs a TLS handshake as server on a client connection whose opening asked for it, as Postgres 17
 * and later do (src/backend/tcop/backend_startup.c, ProcessSSLStartup and ProcessStartupPacket):
 * `received` are the bytes already read from the client that belong to the handshake (a direct
 * ClientHello, or what was sent behind an SSLRequest). ALPN: a client offering protocols without
 * `postgresql` gets the fatal no_application_protocol alert (alpn_cb in be-secure-openssl.c); one
 * offering none is accepted after an SSLRequest, but a `direct` connection without ALPN is closed
 * once the handshake is done. On failure the connection is closed and `reason` says why, for the
 * log. The TLS socket comes back with nobody reading it yet: data waits for a 'data' listener.
 */
export async function acceptTls(
  socket: Socket,
  received: Buffer,
  context: SecureContext,
  direct: boolean,
): Promise<TlsHandshake> {
  // Node's TLS layer keeps, for the life of the connection, the buffer its first read of the
  // connection went into: 64 KiB when it reads the socket itself (libuv's suggested size), the
  // size of the bytes when they are handed to it. So the ClientHello is read here first (after an
  // SSLRequest nothing has come yet) and handed over. Measured with 1,000 idle TLS sessions, this
  // took an idle session from 47.9 to 25.1 KB of resident memory when clients connected one at a
  // time (heap pages freed by one handshake land in the next one's 64 KiB buffer), and from 30.3
  // to 26.4 KB with 50 at a time. During a transfer Node adds 16 KiB buffers as they fill, as
  // after any first buffer, so a read takes at most one TLS record where the 64 KiB buffer let
  // some take four: 100 MB copied in over TLS, alternated with the build before, moved at the
  // same rate for the same CPU time (5.2–5.5 against 5.0–5.8 ms per MB in the quiet rounds).
  const hello = received.length > 0 ? received : await firstBytes(socket);
  if (!hello) {
    socket.destroy();
    return { ok: false, reason: CLOSED_DURING_HANDSHAKE };
  }
  // Paused, the socket keeps what is put back (flowing, it would emit it to nobody); Node's TLS
  // layer then reads what is buffered there before the connection itself.
  socket.pause();
  socket.unshift(hello);
  const tls = new TLSSocket(socket, {
    isServer: true,
    secureContext: context,
    ALPNCallback: ({ protocols }) =>
      protocols.includes(PG_ALPN_PROTOCOL) ? PG_ALPN_PROTOCOL : undefined,
  });
  // Errors (a reset, a bad record) end the connection through 'close'; never the process.
  tls.on('error', () => {});
  return new Promise((resolve) => {
    const settle = (handshake: TlsHandshake): void => {
      tls.off('secure', onSecure);
      tls.off('error', onError);
      tls.off('close', onClose);
      if (!handshake.ok) {
        tls.destroy();
      }
      resolve(handshake);
    };
    const onSecure = (): void => {
      settle(
        direct && tls.alpnProtocol !== PG_ALPN_PROTOCOL
          ? {
              ok: false,
              reason:
                'a direct TLS connection without ALPN protocol negotiation (Postgres refuses those too)',
            }
          : { ok: true, socket: tls },
      );
    };
    const onError = (error: Error): void =>
      settle({ ok: false, reason: `the TLS handshake failed: ${describeTlsError(error)}` });
    const onClose = (): void => settle({ ok: false, reason: CLOSED_DURING_HANDSHAKE });
    tls.once('secure', onSecure);
    tls.once('error', onError);
    tls.once('close', onClose);
  });
}

/**
 * The first bytes the client sends on `socket` (its ClientHello, whole or in part), read as they
 * come; undefined when the client ends or closes the connection first. Leaves the socket paused.
 */
function firstBytes(socket: Socket): Promise<Buffer | undefined> {
  if (socket.destroyed) {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const done = (bytes: Buffer | undefined): void => {
      socket.pause();
      socket.off('data', done);
      socket.off('end', gone);
      socket.off('close', gone);
      resolve(bytes);
    };
    const gone = (): void => done(undefined);
    socket.on('data', done);
    socket.on('end', gone);
    socket.on('close', gone);
    socket.resume();
  });
}

/** OpenSSL's reason in words ("wrong version number"), without its code and file prefix. */
function describeTlsError(error: Error): string {
  const reason = (error as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : error.message;
}
