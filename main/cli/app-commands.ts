import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfigDir } from '../service/config-dir.js';
import { startControlServer } from '../service/control-server.js';
import { createHeadlessCore } from '../service/headless.js';
import { printBanner } from './banner.js';
import { parsePort, untilSignal } from './options.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from './version.js';

export const UI_HELP = `Usage: pg-tunnel ui [--port PORT] [--config-dir DIR]

Runs the app's core without Electron and serves its window to your browser at a loopback URL with
an access token (printed). Saved tunnels flagged auto-start are started.
`;

export const PLAYGROUND_HELP = `Usage: pg-tunnel playground [--config-dir DIR]

Starts the local playground: an embedded Postgres kept under the config directory, a gateway on
loopback and a tunnel to it, with its key in the OS keychain. Prints the connection block.
`;

/** The renderer build, next to the compiled main code. */
const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

function parseAppArgs(
  args: string[],
  withPort: boolean,
): { configDir: string; port: number; help: boolean } {
  const { values } = parseArgs({
    args,
    options: {
      'config-dir': { type: 'string' },
      help: { type: 'boolean' },
      ...(withPort ? { port: { type: 'string' as const } } : {}),
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    configDir: values['config-dir'] ?? defaultConfigDir(),
    port: parsePort(typeof values.port === 'string' ? values.port : undefined),
    help: Boolean(values.help),
  };
}

export async function runUiCommand(args: string[]): Promise<void> {
  const { configDir, port, help } = parseAppArgs(args, true);
  if (help) {
    process.stdout.write(UI_HELP);
    return;
  }
  const core = await createHeadlessCore(configDir, packageVersion());
  const server = await startControlServer({ target: core, port, staticDir: RENDERER_DIR }).catch(
    async (error: Error) => {
      await core.dispose();
      throw new UsageError(
        `The window cannot be served on 127.0.0.1:${port}: ${error.message}. Choose another with --port.`,
      );
    },
  );
  if (core.profiles.settings().autoStartTunnels) {
    await core.tunnels.startAutoStart();
  }
  console.info(
    `PG Tunnel is running. Open this URL in your browser (it carries the access token):\n\n  ${server.url}\n`,
  );
  await untilSignal('Stopping…');
  await server.close();
  await core.dispose();
}

export async function runPlaygroundCommand(args: string[]): Promise<void> {
  const { configDir, help } = parseAppArgs(args, false);
  if (help) {
    process.stdout.write(PLAYGROUND_HELP);
    return;
  }
  const core = await createHeadlessCore(configDir, packageVersion());
  try {
    console.info('Starting the local playground (the first start creates its database)…');
    const profile = await core.commands.createPlayground();
    const state = await core.commands.startTunnel(profile.id);
    if (state.status !== 'listening' || state.host === null || state.port === null) {
      throw new UsageError(state.problem?.message ?? 'The playground did not start.');
    }
    printBanner(state.host, state.port);
    await untilSignal('Stopping…');
  } finally {
    await core.dispose();
  }
}
