import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, type RunningProcess } from './child-process.js';

/** The built CLI, as users run it (`npm test` builds before testing). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/main/cli/index.js', import.meta.url));

const WITH_KEYCHAIN = fileURLToPath(new URL('../../scripts/with-keychain.sh', import.meta.url));

/**
 * The built CLI under scripts/with-keychain.sh, as the README once told people to run it. With
 * DBUS_SESSION_BUS_ADDRESS unset in `env`, the script makes a new throwaway keyring for this run.
 */
export function startCliWithKeychainScript(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): RunningProcess {
  return start('sh', [WITH_KEYCHAIN, process.execPath, CLI_PATH, ...args], env, undefined, {
    group: true,
  });
}

let configHome: string | undefined;

/**
 * XDG_CONFIG_HOME for the CLIs the tests start, so that a command run without --config-dir (the
 * tunnel, which keeps its local CA there) never writes into the configuration of the person
 * running the tests. One per test process, removed when it exits.
 */
function testConfigHome(): string {
  if (!configHome) {
    const dir = mkdtempSync(join(tmpdir(), 'pg-tunnel-xdg-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    configHome = dir;
  }
  return configHome;
}

/**
 * The built CLI, with XDG_CONFIG_HOME of the tests unless `env` sets it. `nodeArgs` go to Node
 * itself, before the script (the benchmark profiles with --cpu-prof); `node` is the Node binary
 * (default: the one running the tests; see node24()).
 */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
  nodeArgs: string[] = [],
  node = process.execPath,
): RunningProcess {
  return start(
    node,
    [...nodeArgs, CLI_PATH, ...args],
    { XDG_CONFIG_HOME: testConfigHome(), ...env },
    cwd,
  );
}

export interface RunningTunnel {
  process: RunningProcess;
  host: string;
  port: number;
}

/**
 * Starts `pg-tunnel` and waits for the reference banner; resolves with the port it printed.
 * `env` adds to its environment (NODE_EXTRA_CA_CERTS for a gateway behind a test certificate);
 * `node` is the Node binary to run it on.
 */
export async function startTunnelCli(
  gatewayWsUrl: string,
  apiKey: string,
  extraArgs: string[] = [],
  nodeArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
  node?: string,
): Promise<RunningTunnel> {
  return waitForBanner(
    startCli(
      ['--gateway', gatewayWsUrl, ...extraArgs],
      { PDP_API_KEY: apiKey, DATABASE_URL: '', ...env },
      undefined,
      nodeArgs,
      node,
    ),
  );
}

/**
 * Starts `pg-tunnel` as a direct tunnel: DATABASE_URL=`databaseUrl` (no API key, no PGPASSWORD
 * unless `env` sets one) and `args`; resolves once it printed the banner.
 */
export async function startDirectTunnelCli(
  databaseUrl: string | undefined,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
  nodeArgs: string[] = [],
): Promise<RunningTunnel> {
  return waitForBanner(
    startCli(
      args,
      { PDP_API_KEY: undefined, PGPASSWORD: undefined, DATABASE_URL: databaseUrl, ...env },
      undefined,
      nodeArgs,
    ),
  );
}

async function waitForBanner(proc: RunningProcess): Promise<RunningTunnel> {
  const [, host, port] = await proc.waitFor(/hostname:\s+(\S+)\s+port:\s+(\d+)/);
  return { process: proc, host: host!, port: Number(port) };
}
