import { connect } from 'node:net';

/**
 * Request targets that `new URL` throws on (issue 21): each once ended a gateway or `pg-tunnel ui`
 * and every session it carried.
 */
export const UNPARSABLE_TARGETS = [
  'http://[',
  '//[',
  'http://a%zz/',
  'https://x:99999/',
  'http://:80/',
];

/** A raw WebSocket upgrade request for `target`, with `extraHeaders` (each ending in CRLF). */
export function upgradeRequest(target: string, extraHeaders = ''): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${extraHeaders}` +
    'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
  );
}

/** Sends `request` on a fresh TCP connection and resolves with whatever comes back before close. */
export function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}
