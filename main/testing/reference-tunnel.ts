import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { start, type RunningProcess } from './child-process.js';

/**
 * `npx --no-install ppg-tunnel`, minus npx: its bin run by this Node directly, because the memory
 * rows need the pid of the tunnel itself, not of npm's wrapper processes (which would also add
 * their own start-up time and memory). `env` adds to its environment (NODE_EXTRA_CA_CERTS for a
 * gateway with a test certificate).
 */
export async function startReferenceTunnel(
  gatewayWsUrl: string,
  apiKey: string,
  nodeArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ process: RunningProcess; port: number }> {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@prisma/ppg-tunnel/package.json');
  const { bin } = require(packageJson) as { bin: string };
  // It dies of SIGTERM, and a process killed by a signal writes no CPU profile: when profiling,
  // a preloaded one-liner turns SIGTERM into an ordinary exit.
  const exitOnTerm = nodeArgs.length
    ? ['--import', 'data:text/javascript,process.once("SIGTERM",()=>process.exit(0))']
    : [];
  const script = join(dirname(packageJson), bin);
  const proc = start(
    process.execPath,
    [...nodeArgs, ...exitOnTerm, script, '--host', '127.0.0.1'],
    {
      PDP_API_KEY: apiKey,
      PPG_WS_URL: gatewayWsUrl,
      DATABASE_URL: undefined,
      ...env,
    },
  );
  // Without --port it takes a free one and prints it, which leaves no window for a port clash.
  const [, port] = await proc.waitFor(/port:\s+(\d+)/);
  return { process: proc, port: Number(port) };
}
