import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { parseRequestTarget } from '../http/request-target.js';
import { TUNNEL_PATH } from '../relay/tunnel-protocol.js';
import type { Logger } from './log.js';
import { sendMetrics } from './metrics-listener.js';
import type { GatewayStats } from './metrics.js';
import type { PendingConnections } from './pending-connections.js';
import { OVER_CAP_RETRY_AFTER_S } from './upgrade-check.js';

/** What the gateway's plain HTTP routes read. */
export interface RouteContext {
  stats: GatewayStats;
  pending: PendingConnections;
  metrics: Registry;
  /** /metrics is served on a listener of its own (config `metrics`): 404 here then. */
  metricsOnOwnListener: boolean;
  log: Logger;
  /** The client's address as the log shows it (see clientAddressOf). */
  clientOf(req: IncomingMessage): string;
}

/**
 * The gateway's routes that are not a tunnel: GET /healthz (200, or 503 while draining; answered
 * even past the cap on pending connections, so that health checks see a busy gateway as up),
 * GET /metrics (Prometheus text, unless it has a listener of its own), and 404 for anything else
 * with a sentence naming the tunnel path. An unreadable target is 400; past the cap, 503 with
 * Retry-After. Each refusal is one log line.
 */
export function createRequestHandler({
  stats,
  pending,
  metrics,
  metricsOnOwnListener,
  log,
  clientOf,
}: RouteContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = parseRequestTarget(req.url)?.pathname;
    if (path === undefined) {
      log.warn('request refused', {
        client: clientOf(req),
        reason: 'the request target is not a valid URL path',
      });
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' });
      res.end('The request target is not a valid URL path.\n');
      return;
    }
    const isHealthCheck = req.method === 'GET' && path === '/healthz';
    const overCap = pending.isOverCap(req.socket);
    if (overCap && !isHealthCheck) {
      log.warn('request refused', {
        client: clientOf(req),
        reason: 'too many connections waiting',
      });
      res.writeHead(503, {
        'content-type': 'text/plain',
        'retry-after': String(OVER_CAP_RETRY_AFTER_S),
        connection: 'close',
      });
      res.end('The gateway has too many connections waiting; try again shortly.\n');
      return;
    }
    if (isHealthCheck) {
      // 503 while draining: the load balancer's health check then sends new sessions elsewhere.
      res.writeHead(stats.draining ? 503 : 200, {
        'content-type': 'application/json',
        ...(overCap ? { connection: 'close' } : {}),
      });
      res.end(
        JSON.stringify({
          status: stats.draining ? 'draining' : 'ok',
          sessionsOpen: stats.sessionsOpen,
        }),
      );
    } else if (req.method === 'GET' && path === '/metrics' && !metricsOnOwnListener) {
      sendMetrics(metrics, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`Nothing here. Tunnels open a WebSocket at ${TUNNEL_PATH}.\n`);
    }
  };
}
