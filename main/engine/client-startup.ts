import type { Socket } from 'node:net';
import { ENCRYPTION_REFUSED } from '../pgwire/codes.js';
import { readPastEncryptionRequests } from '../pgwire/startup.js';

/** What a local client opened its connection with, once known. */
export type ClientOpening =
  | { kind: 'startup'; parameters: Record<string, string>; bytes: Buffer }
  | { kind: 'cancel'; bytes: Buffer };

/** The client sent something that is not the start of a Postgres conversation. */
export class ClientProtocolError extends Error {}

/**
 * Reads from a freshly accepted client until it has sent a StartupMessage or a CancelRequest,
 * answering SSLRequest and GSSENCRequest with 'N' on the way (the WebSocket is the encryption), so
 * that clients on the default sslmode=prefer go on in plain text. Rejects on anything else, or on
 * silence past `timeoutMs`. Nothing has been dialled when it rejects. Leaves the socket paused.
 */
export function readClientOpening(socket: Socket, timeoutMs: number): Promise<ClientOpening> {
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    const timer = setTimeout(
      () => settle(new ClientProtocolError(`no startup message within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    const settle = (result: ClientOpening | Error): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (result instanceof Error) {
        reject(result);
      } else {
        resolve(result);
      }
    };
    const onClose = (): void =>
      settle(
        new ClientProtocolError('the client closed the connection before its startup message'),
      );
    const onData = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const { packet, rest } = readPastEncryptionRequests(pending, () =>
        socket.write(ENCRYPTION_REFUSED),
      );
      pending = rest;
      switch (packet.kind) {
        case 'incomplete':
          return;
        case 'invalid':
          settle(new ClientProtocolError(`invalid startup packet: ${packet.reason}`));
          return;
        case 'cancel-request':
          settle({ kind: 'cancel', bytes: pending.subarray(0, packet.length) });
          return;
        case 'startup':
          // Bytes after the startup packet, if a client pipelines, travel with it.
          settle({ kind: 'startup', parameters: packet.parameters, bytes: pending });
          return;
      }
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
