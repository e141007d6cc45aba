import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningProcess } from '../main/testing/child-process.js';
import { startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import type { PostgresServer } from '../main/testing/postgres.js';
import { startReferenceTunnel } from '../main/testing/reference-tunnel.js';

export const TARGET_NAMES = ['direct', 'pg-tunnel', 'ppg-tunnel'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Where and as whom a client connects; the tunnels ignore user and password, Postgres does not. */
export interface Connection {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
}

export interface Target {
  readonly name: TargetName;
  /** Read at each use: restarting the tunnels moves them to new ports. */
  connection(): Connection;
  /** The proxy processes a memory row is about; undefined for direct. */
  processes(): { tunnel: number; gateway: number } | undefined;
}

export interface Targets {
  /** In report order: direct, pg-tunnel, ppg-tunnel. */
  readonly all: readonly Target[];
  get(name: TargetName): Target;
  /**
   * Replaces the gateway and both tunnels with new processes, so that a memory measurement starts
   * from a fresh heap instead of whatever the workloads before it left behind.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The tunnels cannot tell users apart, so every tunnel client uses these made-up names. */
const TUNNEL_USER = { user: 'bench', database: 'bench', password: undefined };

/**
 * Starts our gateway, our tunnel CLI and the reference client (both through that same gateway), and
 * describes the three targets, Postgres itself being `direct`. Everything listens on 127.0.0.1.
 * With `profileDir`, the three proxy processes write V8 CPU profiles there when they exit.
 */
export async function startTargets(
  postgres: PostgresServer,
  profileDir: string | undefined,
): Promise<Targets> {
  let stack = await startStack(postgres, profileDir);
  const tunnelTarget = (name: TargetName, tunnel: () => { pid: number; port: number }): Target => ({
    name,
    connection: () => ({ host: '127.0.0.1', port: tunnel().port, ...TUNNEL_USER }),
    processes: () => ({ tunnel: tunnel().pid, gateway: stack.gateway.process.child.pid! }),
  });
  const all: Target[] = [
    {
      name: 'direct',
      connection: () => ({
        host: postgres.host,
        port: postgres.port,
        user: postgres.user,
        database: postgres.database,
        password: postgres.password,
      }),
      processes: () => undefined,
    },
    tunnelTarget('pg-tunnel', () => ({
      pid: stack.ours.process.child.pid!,
      port: stack.ours.port,
    })),
    tunnelTarget('ppg-tunnel', () => ({
      pid: stack.reference.process.child.pid!,
      port: stack.reference.port,
    })),
  ];
  return {
    all,
    get: (name) => all.find((target) => target.name === name)!,
    restart: async () => {
      await stopStack(stack);
      stack = await startStack(postgres, profileDir);
    },
    stop: () => stopStack(stack),
  };
}

interface Stack {
  gateway: RunningGateway;
  ours: RunningTunnel;
  reference: { process: RunningProcess; port: number };
}

async function startStack(
  postgres: PostgresServer,
  profileDir: string | undefined,
): Promise<Stack> {
  const gateway = await startGatewayProcess(postgres, await profiling(profileDir, 'gateway'));
  const key = gateway.keys.valid;
  const [ours, reference] = await Promise.all([
    startTunnelCli(gateway.wsUrl, key, [], await profiling(profileDir, 'pg-tunnel')),
    startReferenceTunnel(gateway.wsUrl, key, await profiling(profileDir, 'ppg-tunnel')),
  ]);
  return { gateway, ours, reference };
}

async function stopStack({ gateway, ours, reference }: Stack): Promise<void> {
  await Promise.all([ours.process.stop(), reference.process.stop()]);
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
