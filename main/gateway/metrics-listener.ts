import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { parseRequestTarget } from '../http/request-target.js';
import type { Logger } from './log.js';

/** The Prometheus text of `metrics` as an HTTP answer (500, empty, if it cannot be read). */
export function sendMetrics(metrics: Registry, res: ServerResponse): void {
  metrics.metrics().then(
    (text) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(text);
    },
    () => {
      res.writeHead(500);
      res.end();
    },
  );
}

/**
 * A listener of its own for GET /metrics (config `metrics: { host, port }`), so that the public
 * listener need not list key ids and traffic: Prometheus scrapes this one on a private address.
 * Anything else is 404; nothing read here can end the process (see parseRequestTarget).
 *
 * @returns the server and a listen() that resolves with the address bound (port 0 picks one).
 */
export function createMetricsListener(
  metrics: Registry,
  address: { host: string; port: number },
  log: Logger,
): { server: Server; listen(): Promise<AddressInfo> } {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && parseRequestTarget(req.url)?.pathname === '/metrics') {
      sendMetrics(metrics, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('This listener serves GET /metrics only.\n');
  });
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.port, address.host, () => {
          server.off('error', reject);
          const bound = server.address() as AddressInfo;
          log.info('metrics listening', { address: bound.address, port: bound.port });
          resolve(bound);
        });
      }),
  };
}
