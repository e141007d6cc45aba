import { Counter, Gauge, Registry } from 'prom-client';

/** Counters of one API key, named by its id in the config (never by the key). */
export interface KeyStats {
  sessionsOpen: number;
  sessionsTotal: number;
  bytesFromClients: number;
  bytesToClients: number;
  /** Logins to the key's upstream that failed: refused, unreachable, wrong password… */
  loginFailures: number;
}

/** Why the gateway itself ended a session (rather than its client or database). */
export type EndReason = 'idle' | 'shutdown' | 'revoked';

/** Plain counters the hot path bumps; turned into Prometheus metrics only when scraped. */
export interface GatewayStats {
  sessionsOpen: number;
  sessionsTotal: number;
  upgradeRequests: number;
  authFailures: number;
  bytesFromClients: number;
  bytesToClients: number;
  upstreamDialFailures: number;
  /** Upgrades answered 429 because their address sent too many unknown keys. */
  upgradesLimited: number;
  sessionsEnded: Record<EndReason, number>;
  configReloads: { applied: number; refused: number };
  draining: boolean;
  /**
   * By key id. Kept across config reloads, and for removed keys too, so that each series only
   * grows (as Prometheus counters must); the operator's config bounds the number of ids.
   */
  keys: Map<string, KeyStats>;
  /** Warm sockets waiting for their first message; not sessions until it comes. */
  warmSocketsOpen: number;
  warmSocketsTotal: number;
  /** Upgrades over TLS whose handshake resumed an earlier session (a tunnel's second dial on). */
  tlsResumptions: number;
}

/** Every counter at zero, for a gateway that has just started. */
export function createStats(): GatewayStats {
  return {
    sessionsOpen: 0,
    sessionsTotal: 0,
    upgradeRequests: 0,
    authFailures: 0,
    bytesFromClients: 0,
    bytesToClients: 0,
    upstreamDialFailures: 0,
    upgradesLimited: 0,
    sessionsEnded: { idle: 0, shutdown: 0, revoked: 0 },
    configReloads: { applied: 0, refused: 0 },
    draining: false,
    keys: new Map(),
    warmSocketsOpen: 0,
    warmSocketsTotal: 0,
    tlsResumptions: 0,
  };
}

/** The counters of key `id`, created at zero on first use. */
export function statsOfKey(stats: GatewayStats, id: string): KeyStats {
  let keyStats = stats.keys.get(id);
  if (!keyStats) {
    keyStats = {
      sessionsOpen: 0,
      sessionsTotal: 0,
      bytesFromClients: 0,
      bytesToClients: 0,
      loginFailures: 0,
    };
    stats.keys.set(id, keyStats);
  }
  return keyStats;
}

/** Extra gauges read from elsewhere at scrape time. */
export interface MetricsSources {
  /** Client addresses refused with 429 right now. */
  limitedAddresses: () => number;
  /** Connections that have not completed an upgrade. */
  pendingConnections: () => number;
  /** Whether the failed-key limiter holds only blocks and counts no new address. */
  limiterFull: () => boolean;
  /** Logins to the keys' upstreams held ahead of need (see WarmLogins). */
  warmLogins: () => number;
}

/**
 * A registry whose metrics read `stats` at scrape time. The unlabelled series are gateway totals;
 * the `pg_tunnel_gateway_key_*` series carry a `key` label (the key's id) and sum to them.
 */
export function createMetricsRegistry(stats: GatewayStats, sources: MetricsSources): Registry {
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
  counter(
    'pg_tunnel_gateway_upgrades_limited_total',
    'Upgrades answered 429 because their address sent too many unknown API keys.',
    () => stats.upgradesLimited,
  );
  gauge(
    'pg_tunnel_gateway_limited_addresses',
    'Client addresses whose upgrades are answered 429 now.',
    sources.limitedAddresses,
  );
  gauge(
    'pg_tunnel_gateway_pending_connections',
    'Connections that have not completed a WebSocket upgrade (see maxPendingConnections).',
    sources.pendingConnections,
  );
  gauge(
    'pg_tunnel_gateway_limiter_full',
    '1 while the failed-key limiter holds as many addresses as it may, all blocked: unknown keys from other addresses go uncounted until a block ends.',
    () => (sources.limiterFull() ? 1 : 0),
  );
  gauge('pg_tunnel_gateway_draining', '1 while the gateway drains before it stops.', () =>
    stats.draining ? 1 : 0,
  );
  gauge(
    'pg_tunnel_gateway_warm_logins',
    "Logins to the keys' databases made ahead of need, for clients not here yet.",
    sources.warmLogins,
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
  labelledCounter(
    registry,
    'pg_tunnel_gateway_sessions_ended_total',
    'Sessions the gateway ended itself, by reason: idle, shutdown (drain timeout), revoked (key removed).',
    'reason',
    () => Object.entries(stats.sessionsEnded),
  );
  labelledCounter(
    registry,
    'pg_tunnel_gateway_config_reloads_total',
    'Config reloads (SIGHUP), by result: applied, or refused (the old config stays).',
    'result',
    () => Object.entries(stats.configReloads),
  );
  const byKey = (read: (keyStats: KeyStats) => number) => (): Array<[string, number]> =>
    [...stats.keys].map(([id, keyStats]) => [id, read(keyStats)]);
  new Gauge({
    name: 'pg_tunnel_gateway_key_sessions_open',
    help: 'Tunnel sessions open now, by API key id.',
    labelNames: ['key'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, value] of byKey((s) => s.sessionsOpen)()) {
        this.set({ key }, value);
      }
    },
  });
  for (const [name, help, read] of [
    ['sessions_total', 'Tunnel sessions accepted', (s: KeyStats) => s.sessionsTotal],
    [
      'client_received_bytes_total',
      'Bytes received from tunnel clients',
      (s: KeyStats) => s.bytesFromClients,
    ],
    ['client_sent_bytes_total', 'Bytes sent to tunnel clients', (s: KeyStats) => s.bytesToClients],
    [
      'login_failures_total',
      'Upstream connections or logins that failed',
      (s: KeyStats) => s.loginFailures,
    ],
  ] as const) {
    labelledCounter(
      registry,
      `pg_tunnel_gateway_key_${name}`,
      `${help}, by API key id.`,
      'key',
      byKey(read),
    );
  }
  return registry;
}

/** A counter with one label, whose series are read at scrape time as [label value, count] pairs. */
function labelledCounter(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  read: () => Array<[string, number]>,
): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, count] of read()) {
        this.inc({ [label]: value }, count);
      }
    },
  });
}
