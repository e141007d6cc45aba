import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, type RunningProcess } from '../main/testing/child-process.js';
import { startDirectTunnelCli, startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import type { PostgresServer } from '../main/testing/postgres.js';
import { startReferenceTunnel } from '../main/testing/reference-tunnel.js';
import type { TestCertificate } from '../main/testing/tls.js';

/**
 * `direct-tls` only with --rtt: Postgres across the simulated network, over TLS as a remote
 * database requires. `pg-tunnel-tls` only with --tls: our tunnel again, its clients in TLS on the
 * local leg (sslmode=require). `pg-direct`: our engine as a direct tunnel (the connector
 * in-process, one hop instead of two). `relays` only with --floor: two plain TCP relays, the cost
 * of the extra hops.
 */
export const TARGET_NAMES = [
  'direct',
  'direct-tls',
  'pg-tunnel',
  'pg-tunnel-tls',
  'ppg-tunnel',
  'pg-direct',
  'relays',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Where and as whom a client connects; the tunnels ignore user and password, Postgres does not. */
export interface Connection {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
  /** libpq's sslmode: require for direct-tls and pg-tunnel-tls, else disable. */
  sslmode: 'disable' | 'require';
}

export interface Target {
  readonly name: TargetName;
  /** Read at each use: restarting the tunnels moves them to new ports. */
  connection(): Connection;
  /** The proxy processes a memory row is about; undefined for direct, pg-direct and the relays. */
  processes(): { tunnel: number; gateway: number } | undefined;
}

export interface Targets {
  /**
   * On loopback, in report order: direct, pg-tunnel, pg-tunnel-tls with --tls, ppg-tunnel,
   * pg-direct, and relays with --floor.
   */
  readonly all: readonly Target[];
  /**
   * With --rtt, across the simulated network: direct-tls, pg-tunnel (and pg-tunnel-tls with
   * --tls), ppg-tunnel and pg-direct (other processes than the loopback ones of the same name);
   * else empty.
   */
  readonly remote: readonly Target[];
  get(name: TargetName): Target;
  /**
   * Replaces the loopback gateway and tunnels with new processes, so that a memory measurement
   * starts from a fresh heap instead of whatever the workloads before it left behind.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The simulated network of --rtt: its round trip in ms, and the certificate TLS is served with. */
export interface Network {
  rttMs: number;
  certificate: TestCertificate;
}

/**
 * The tunnels cannot tell users apart, so every tunnel client uses a made-up user name. It names
 * the key's own database: another name would earn each connection a notice that direct clients
 * do not get (see the database rule in docs/cli.md).
 */
const tunnelUser = (postgres: PostgresServer) => ({
  user: 'bench',
  database: postgres.database,
  password: undefined,
});

/** What the benchmark measures besides direct, pg-tunnel and ppg-tunnel. */
export interface TargetOptions {
  /** V8 CPU profiles of the loopback proxy processes go there when they exit. */
  profileDir?: string | undefined;
  /** `relays`: two plain TCP relays in front of Postgres. */
  floor?: boolean;
  /** `pg-tunnel-tls`: our tunnel with its clients in TLS (the same process as `pg-tunnel`). */
  tls?: boolean;
  /** The remote targets (see startRemoteStack). */
  network?: Network | undefined;
}

/**
 * Starts our gateway, our tunnel CLI and the reference client (both through that same gateway), our
 * CLI as a direct tunnel to Postgres, and describes the targets, Postgres itself being `direct`.
 * With `floor`, also two plain TCP relays
 * chained in front of Postgres (`relays`): what any design with two extra processes on the path
 * cannot beat. With `tls`, also our tunnel with clients in TLS (`pg-tunnel-tls`, the same
 * process, whose TLS is on). Everything listens on 127.0.0.1. With `profileDir`, the loopback
 * proxy processes write V8 CPU profiles there when they exit. With `network`, also the remote
 * targets (see startRemoteStack).
 */
export async function startTargets(
  postgres: PostgresServer,
  { profileDir, floor, tls, network }: TargetOptions,
): Promise<Targets> {
  const startAll = (): Promise<Stack> =>
    startStack(postgres, profileDir, Boolean(floor), Boolean(tls));
  let stack = await startAll();
  const remote = network ? await startRemoteStack(postgres, network, Boolean(tls)) : undefined;
  const tunnelTarget = (
    name: TargetName,
    tunnel: () => { pid: number; port: number },
    sslmode: Connection['sslmode'] = 'disable',
  ): Target => ({
    ...tunnelAt(name, postgres, () => tunnel().port, sslmode),
    processes: () => ({ tunnel: tunnel().pid, gateway: stack.gateway.process.child.pid! }),
  });
  const ours = (): { pid: number; port: number } => ({
    pid: stack.ours.process.child.pid!,
    port: stack.ours.port,
  });
  const all: Target[] = [
    postgresTarget('direct', postgres, () => postgres.port),
    tunnelTarget('pg-tunnel', ours),
    ...(tls ? [tunnelTarget('pg-tunnel-tls', ours, 'require')] : []),
    tunnelTarget('ppg-tunnel', () => ({
      pid: stack.reference.process.child.pid!,
      port: stack.reference.port,
    })),
    tunnelAt('pg-direct', postgres, () => stack.direct.port),
    ...(floor ? [postgresTarget('relays', postgres, () => stack.relays[1]!.port)] : []),
  ];
  return {
    all,
    remote: remote?.targets ?? [],
    get: (name) => all.find((target) => target.name === name)!,
    restart: async () => {
      await stopStack(stack);
      stack = await startAll();
    },
    stop: async () => {
      await Promise.all([stopStack(stack), remote?.stop()]);
    },
  };
}

/** Postgres itself, or what stands in front of it at `port`: with its real user and password. */
function postgresTarget(
  name: TargetName,
  postgres: PostgresServer,
  port: () => number,
  sslmode: Connection['sslmode'] = 'disable',
): Target {
  return {
    name,
    connection: () => ({
      host: postgres.host,
      port: port(),
      user: postgres.user,
      database: postgres.database,
      password: postgres.password,
      sslmode,
    }),
    processes: () => undefined,
  };
}

/**
 * A tunnel at `port` whose processes a memory row does not measure (the one-hop pg-direct, and
 * the remote targets), its clients in `sslmode`.
 */
function tunnelAt(
  name: TargetName,
  postgres: PostgresServer,
  port: () => number,
  sslmode: Connection['sslmode'] = 'disable',
): Target {
  return {
    name,
    connection: () => ({ host: '127.0.0.1', port: port(), ...tunnelUser(postgres), sslmode }),
    processes: () => undefined,
  };
}

/**
 * The targets across the simulated network: a delay relay (RTT/2 each way) in front of Postgres,
 * reached over TLS (`direct-tls`, and `pg-direct` verifying the server with the network's
 * certificate as its sslrootcert), and another in front of a second gateway serving wss:// with
 * the network's certificate, which our tunnel and the reference client trust through
 * NODE_EXTRA_CA_CERTS. The gateway sits next to Postgres, as it would in a real deployment. With
 * `tls`, also our tunnel with its clients in TLS on the local leg (`pg-tunnel-tls`).
 */
async function startRemoteStack(
  postgres: PostgresServer,
  { rttMs, certificate }: Network,
  tls: boolean,
): Promise<{ targets: Target[]; stop(): Promise<void> }> {
  const gateway = await startGatewayProcess(postgres, { tls: certificate });
  const [toGateway, toPostgres] = await Promise.all([
    startDelayRelay(gateway.port, rttMs),
    startDelayRelay(postgres.port, rttMs),
  ]);
  const url = `wss://127.0.0.1:${toGateway.port}/websocket`;
  const trust = { NODE_EXTRA_CA_CERTS: certificate.certPath };
  const key = gateway.keys.valid;
  const remotePostgres = new URL(postgres.url);
  remotePostgres.port = String(toPostgres.port);
  remotePostgres.search = new URLSearchParams({
    sslmode: 'verify-full',
    sslrootcert: certificate.certPath,
  }).toString();
  const [ours, reference, direct] = await Promise.all([
    startTunnelCli(url, key, localTlsFlags(tls), [], trust),
    startReferenceTunnel(url, key, [], trust),
    startDirectTunnelCli(remotePostgres.href),
  ]);
  return {
    targets: [
      postgresTarget('direct-tls', postgres, () => toPostgres.port, 'require'),
      tunnelAt('pg-tunnel', postgres, () => ours.port),
      ...(tls ? [tunnelAt('pg-tunnel-tls', postgres, () => ours.port, 'require')] : []),
      tunnelAt('ppg-tunnel', postgres, () => reference.port),
      tunnelAt('pg-direct', postgres, () => direct.port),
    ],
    stop: async () => {
      await Promise.all(
        [
          ours.process,
          reference.process,
          direct.process,
          toGateway.process,
          toPostgres.process,
        ].map((p) => p.stop()),
      );
      await gateway.process.stop();
    },
  };
}

interface Listener {
  process: RunningProcess;
  port: number;
}

interface Stack {
  gateway: RunningGateway;
  ours: RunningTunnel;
  reference: Listener;
  /** Our CLI with DATABASE_URL set to Postgres's own URL (sslmode=disable, as for every target). */
  direct: RunningTunnel;
  /** Empty without --floor; else the relay Postgres is behind, then the one clients use. */
  relays: Listener[];
}

async function startStack(
  postgres: PostgresServer,
  profileDir: string | undefined,
  floor: boolean,
  tls: boolean,
): Promise<Stack> {
  const gateway = await startGatewayProcess(postgres, {
    nodeArgs: await profiling(profileDir, 'gateway'),
  });
  const key = gateway.keys.valid;
  const [ours, reference, direct] = await Promise.all([
    startTunnelCli(
      gateway.wsUrl,
      key,
      localTlsFlags(tls),
      await profiling(profileDir, 'pg-tunnel'),
    ),
    startReferenceTunnel(gateway.wsUrl, key, await profiling(profileDir, 'ppg-tunnel')),
    startDirectTunnelCli(postgres.url, {}, [], await profiling(profileDir, 'pg-direct')),
  ]);
  const relays: Listener[] = [];
  if (floor) {
    relays.push(
      await startRelay(postgres.port, await profiling(profileDir, 'relay-postgres-side')),
    );
    relays.push(
      await startRelay(relays[0]!.port, await profiling(profileDir, 'relay-client-side')),
    );
  }
  return { gateway, ours, reference, direct, relays };
}

/**
 * Our tunnel's flags for pg-tunnel-tls: TLS on whatever the default, so that the target measures
 * it; without --tls the tunnel runs as users get it.
 */
const localTlsFlags = (tls: boolean): string[] => (tls ? ['--tls', 'on'] : []);

const RELAY_SCRIPT = fileURLToPath(new URL('./tcp-relay.ts', import.meta.url));
const DELAY_RELAY_SCRIPT = fileURLToPath(new URL('./delay-relay.ts', import.meta.url));

function startRelay(targetPort: number, nodeArgs: string[]): Promise<Listener> {
  return startRelayProcess(RELAY_SCRIPT, [String(targetPort)], nodeArgs);
}

function startDelayRelay(targetPort: number, rttMs: number): Promise<Listener> {
  return startRelayProcess(DELAY_RELAY_SCRIPT, [String(targetPort), String(rttMs)], []);
}

/** A relay program of bench/, run by tsx; it prints `listening on PORT` once bound. */
async function startRelayProcess(
  script: string,
  args: string[],
  nodeArgs: string[],
): Promise<Listener> {
  const proc = start(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args]);
  const [, port] = await proc.waitFor(/listening on (\d+)/);
  return { process: proc, port: Number(port) };
}

async function stopStack({ gateway, ours, reference, direct, relays }: Stack): Promise<void> {
  await Promise.all(
    [ours.process, reference.process, direct.process, ...relays.map((r) => r.process)].map((p) =>
      p.stop(),
    ),
  );
  await gateway.process.stop();
}

/** Node flags that make a process write a CPU profile into profileDir/name when it exits. */
async function profiling(profileDir: string | undefined, name: string): Promise<string[]> {
  if (!profileDir) {
    return [];
  }
  const dir = join(profileDir, name);
  await mkdir(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}
