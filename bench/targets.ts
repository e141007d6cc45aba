import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, type RunningProcess } from '../main/testing/child-process.js';
import { startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import type { PostgresServer } from '../main/testing/postgres.js';
import { startReferenceTunnel } from '../main/testing/reference-tunnel.js';

/**
 * `relays` only with --floor: two plain TCP relays, the cost of the extra hops alone.
 * `pg-tunnel-tls` only with --tls: our tunnel again, its clients in TLS (sslmode=require).
 */
export const TARGET_NAMES = [
  'direct',
  'pg-tunnel',
  'pg-tunnel-tls',
  'ppg-tunnel',
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
  /** How the client asks for TLS on its own leg: libpq's sslmode. */
  sslmode: 'disable' | 'require';
}

export interface Target {
  readonly name: TargetName;
  /** Read at each use: restarting the tunnels moves them to new ports. */
  connection(): Connection;
  /** The proxy processes a memory row is about; undefined for direct and the relays. */
  processes(): { tunnel: number; gateway: number } | undefined;
}

export interface Targets {
  /** In report order: direct, pg-tunnel, ppg-tunnel, and relays with --floor. */
  readonly all: readonly Target[];
  readonly names: readonly TargetName[];
  get(name: TargetName): Target;
  /**
   * Replaces the gateway and both tunnels with new processes, so that a memory measurement starts
   * from a fresh heap instead of whatever the workloads before it left behind.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The tunnels cannot tell users apart, so every tunnel client uses a made-up user name. It names
 * the key's own database: another name would earn each connection a notice that direct clients
 * do not get (see the database rule in the README).
 */
const tunnelUser = (postgres: PostgresServer) => ({
  user: 'bench',
  database: postgres.database,
  password: undefined,
});

/** What the benchmark measures besides direct, pg-tunnel and ppg-tunnel. */
export interface TargetOptions {
  /** V8 CPU profiles of the proxy processes go there when they exit. */
  profileDir?: string | undefined;
  /** `relays`: two plain TCP relays in front of Postgres. */
  floor?: boolean;
  /** `pg-tunnel-tls`: our tunnel with its clients in TLS; our tunnel then runs with --tls on. */
  tls?: boolean;
}

/**
 * Starts our gateway, our tunnel CLI and the reference client (both through that same gateway), and
 * describes the targets, Postgres itself being `direct`. With `floor`, also two plain TCP relays
 * chained in front of Postgres (`relays`): what any design with two extra processes on the path
 * cannot beat. With `tls`, also our tunnel with clients in TLS (`pg-tunnel-tls`, the same
 * process). Everything listens on 127.0.0.1. With `profileDir`, the proxy processes write V8 CPU
 * profiles there when they exit.
 */
export async function startTargets(
  postgres: PostgresServer,
  { profileDir, floor, tls }: TargetOptions,
): Promise<Targets> {
  const startAll = (): Promise<Stack> =>
    startStack(postgres, profileDir, Boolean(floor), Boolean(tls));
  let stack = await startAll();
  // Postgres itself, or the relays in front of it: both need its real user and password.
  const postgresVia = (port: () => number): Omit<Target, 'name'> => ({
    connection: () => ({
      host: postgres.host,
      port: port(),
      user: postgres.user,
      database: postgres.database,
      password: postgres.password,
      sslmode: 'disable',
    }),
    processes: () => undefined,
  });
  const tunnelTarget = (
    name: TargetName,
    tunnel: () => { pid: number; port: number },
    sslmode: Connection['sslmode'] = 'disable',
  ): Target => ({
    name,
    connection: () => ({
      host: '127.0.0.1',
      port: tunnel().port,
      ...tunnelUser(postgres),
      sslmode,
    }),
    processes: () => ({ tunnel: tunnel().pid, gateway: stack.gateway.process.child.pid! }),
  });
  const ours = (): { pid: number; port: number } => ({
    pid: stack.ours.process.child.pid!,
    port: stack.ours.port,
  });
  const all: Target[] = [
    { name: 'direct', ...postgresVia(() => postgres.port) },
    tunnelTarget('pg-tunnel', ours),
    ...(tls ? [tunnelTarget('pg-tunnel-tls', ours, 'require')] : []),
    tunnelTarget('ppg-tunnel', () => ({
      pid: stack.reference.process.child.pid!,
      port: stack.reference.port,
    })),
    ...(floor ? [{ name: 'relays' as const, ...postgresVia(() => stack.relays[1]!.port) }] : []),
  ];
  return {
    all,
    names: all.map((target) => target.name),
    get: (name) => all.find((target) => target.name === name)!,
    restart: async () => {
      await stopStack(stack);
      stack = await startAll();
    },
    stop: () => stopStack(stack),
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
  /** Empty without --floor; else the relay Postgres is behind, then the one clients use. */
  relays: Listener[];
}

async function startStack(
  postgres: PostgresServer,
  profileDir: string | undefined,
  floor: boolean,
  tls: boolean,
): Promise<Stack> {
  const gateway = await startGatewayProcess(postgres, await profiling(profileDir, 'gateway'));
  const key = gateway.keys.valid;
  const [ours, reference] = await Promise.all([
    startTunnelCli(
      gateway.wsUrl,
      key,
      tls ? ['--tls', 'on'] : [],
      await profiling(profileDir, 'pg-tunnel'),
    ),
    startReferenceTunnel(gateway.wsUrl, key, await profiling(profileDir, 'ppg-tunnel')),
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
  return { gateway, ours, reference, relays };
}

const RELAY_SCRIPT = fileURLToPath(new URL('./tcp-relay.ts', import.meta.url));

async function startRelay(targetPort: number, nodeArgs: string[]): Promise<Listener> {
  const proc = start(process.execPath, [
    ...nodeArgs,
    '--import',
    'tsx',
    RELAY_SCRIPT,
    String(targetPort),
  ]);
  const [, port] = await proc.waitFor(/listening on (\d+)/);
  return { process: proc, port: Number(port) };
}

async function stopStack({ gateway, ours, reference, relays }: Stack): Promise<void> {
  await Promise.all(
    [ours.process, reference.process, ...relays.map((r) => r.process)].map((p) => p.stop()),
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
