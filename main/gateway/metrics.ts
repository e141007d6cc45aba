import { Counter, Gauge, Registry } from 'prom-client';

/** Plain counters the hot path bumps; turned into Prometheus metrics only when scraped. */
export interface GatewayStats {
  sessionsOpen: number;
  sessionsTotal: number;
  upgradeRequests: number;
  authFailures: number;
  bytesFromClients: number;
  bytesToClients: number;
  upstreamDialFailures: number;
  /** Warm sockets waiting for their first message; not sessions until it comes. */
  warmSocketsOpen: number;
  warmSocketsTotal: number;
  /** Upgrades over TLS whose handshake resumed an earlier session (a tunnel's second dial on). */
  tlsResumptions: number;
}

export function createStats(): GatewayStats {
  return {
    sessionsOpen: 0,
    sessionsTotal: 0,
    upgradeRequests: 0,
    authFailures: 0,
    bytesFromClients: 0,
    bytesToClients: 0,
    upstreamDialFailures: 0,
    warmSocketsOpen: 0,
    warmSocketsTotal: 0,
    tlsResumptions: 0,
  };
}

/** A registry whose metrics read `stats` at scrape time. */
export function createMetricsRegistry(stats: GatewayStats): Registry {
  const registry = new Registry();
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge('pg_tunnel_gateway_sessions_open', 'Tunnel sessions open now.', () => stats.sessionsOpen);
  counter(
    'pg_tunnel_gateway_sessions_total',
    'Tunnel sessions accepted.',
    () => stats.sessionsTotal,
  );
  counter(
    'pg_tunnel_gateway_upgrade_requests_total',
    'WebSocket upgrade requests received, accepted or not.',
    () => stats.upgradeRequests,
  );
  counter(
    'pg_tunnel_gateway_auth_failures_total',
    'Upgrades refused for an unknown API key.',
    () => stats.authFailures,
  );
  counter(
    'pg_tunnel_gateway_client_received_bytes_total',
    'Bytes received from tunnel clients.',
    () => stats.bytesFromClients,
  );
  counter(
    'pg_tunnel_gateway_client_sent_bytes_total',
    'Bytes sent to tunnel clients.',
    () => stats.bytesToClients,
  );
  counter(
    'pg_tunnel_gateway_upstream_dial_failures_total',
    'Upstream connections or logins that failed.',
    () => stats.upstreamDialFailures,
  );
  gauge(
    'pg_tunnel_gateway_warm_sockets_open',
    'WebSockets opened by tunnels ahead of need, waiting for their first message.',
    () => stats.warmSocketsOpen,
  );
  counter(
    'pg_tunnel_gateway_warm_sockets_total',
    'Warm WebSockets accepted (each becomes a session when a client takes it, or expires).',
    () => stats.warmSocketsTotal,
  );
  counter(
    'pg_tunnel_gateway_tls_resumptions_total',
    'Upgrade requests whose TLS handshake resumed an earlier session.',
    () => stats.tlsResumptions,
  );
  return registry;
}
