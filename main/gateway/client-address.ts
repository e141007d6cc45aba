import type { IncomingMessage } from 'node:http';

/**
 * The address a request came from, as `host` (for counting) and `display` (for logs, with the
 * port when it is the peer's). Behind a load balancer it is the first X-Forwarded-For hop: the
 * gateway trusts that header, so it must be reachable only through a proxy that sets it (the
 * files in deploy/ replace whatever the client sent) or on loopback.
 */
export function clientAddressOf(req: IncomingMessage): { host: string; display: string } {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  if (first) {
    return { host: first, display: first };
  }
  const host = req.socket.remoteAddress ?? 'unknown';
  return { host, display: `${host}:${req.socket.remotePort}` };
}
