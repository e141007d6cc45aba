import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RpcError } from '../../shared/rpc.js';
import { DEFAULT_LOCAL_TLS } from '../../shared/profile.js';
import type { AppCore } from '../service/app-core.js';
import { composeAppCore } from '../service/compose.js';
import { defaultConfigDir } from '../service/config-dir.js';
import { startControlServer } from '../service/control-server.js';
import { newUiToken, readUiAddress, saveUiAddress } from '../service/ui-address.js';
import { playgroundDir } from '../service/playground/index.js';
import { ProfilesFileError } from '../service/profile-store.js';
import { pickAnotherPort } from '../service/tunnel-manager.js';
import { localCaCertPath } from '../tls/index.js';
import { printBanner, warnIfExposed } from './banner.js';
import { parseCommandLine } from './command-line.js';
import { parseHost, parseOnOff, parsePort, untilSignal } from './options.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from './version.js';

export const UI_HELP = `Usage: pg-tunnel ui [--port PORT] [--config-dir DIR]

Runs the app's core without Electron and serves its window to your browser at a loopback URL with
an access token (printed). Saved tunnels flagged auto-start are started. The port and the token
are kept in the config directory (ui.json, readable by you only), so the same URL, bookmarked,
opens the window after every start. Stop it with Ctrl+C (or SIGTERM).

Options:
  -p, --port PORT       port on 127.0.0.1 to serve the window on (default: the one of the last
                        start, else a free one; kept for the next start)
      --config-dir DIR  where profiles and the playground live (default ${defaultConfigDir()})
      --help            show this help
`;

export const PLAYGROUND_HELP = `Usage: pg-tunnel playground [options]

Starts the local playground: a Postgres on this machine, a gateway on loopback and a tunnel to it,
and prints the connection block. Its data and its credentials (a file only you can read) are kept
in the playground directory under the config directory, so it needs no keychain, and its data and
its port are kept from one start to the next.

Options:
  -h, --host HOST       address to listen on (default 127.0.0.1; kept for the next start)
  -p, --port PORT       port to listen on (default: the one of the last start, else a free one;
                        kept for the next start)
      --tls on|off      TLS on the local port for clients that ask for it, with a certificate
                        from the local CA in the config directory (default: as at the last
                        start, else ${DEFAULT_LOCAL_TLS ? 'on' : 'off'}; kept for the next start)
      --config-dir DIR  where profiles and the playground live (default ${defaultConfigDir()})
      --help            show this help
`;

/** The renderer build, next to the compiled main code. */
const RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

export async function runUiCommand(args: string[]): Promise<void> {
  const { values } = parseCommandLine('pg-tunnel ui', () =>
    parseArgs({
      args,
      options: {
        port: { type: 'string', short: 'p' },
        'config-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (values.help) {
    process.stdout.write(UI_HELP);
    return;
  }
  const configDir = values['config-dir'] ?? defaultConfigDir();
  const kept = await readUiAddress(configDir);
  const port = values.port === undefined ? (kept?.port ?? 0) : parsePort(values.port);
  const token = kept?.token ?? newUiToken();
  const core = await openCore(configDir, 'pg-tunnel ui');
  const server = await startControlServer({
    target: core,
    port,
    staticDir: RENDERER_DIR,
    token,
  }).catch(async (error: Error) => {
    await core.dispose();
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new UsageError(
      `The window cannot be served on 127.0.0.1:${port}: ${error.message}.` +
        (inUse && port === kept?.port
          ? ` It is the port of the last start: is pg-tunnel ui already running on ${configDir}? Open its URL, or choose another port with --port.`
          : ' Choose another with --port.'),
    );
  });
  await saveUiAddress(configDir, { port: server.port, token });
  await core.startUp();
  console.info(
    `PG Tunnel is running. Open this URL in your browser (it carries the access token; the same URL works after a restart):\n\n  ${server.url}\n\nStop it with Ctrl+C.`,
  );
  await untilSignal('Stopping…');
  await server.close();
  await core.dispose();
}

export async function runPlaygroundCommand(args: string[]): Promise<void> {
  const { values } = parseCommandLine('pg-tunnel playground', () =>
    parseArgs({
      args,
      options: {
        host: { type: 'string', short: 'h' },
        port: { type: 'string', short: 'p' },
        tls: { type: 'string' },
        'config-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (values.help) {
    process.stdout.write(PLAYGROUND_HELP);
    return;
  }
  const port = values.port === undefined ? undefined : parsePort(values.port);
  const tls = parseOnOff('--tls', values.tls);
  const configDir = values['config-dir'] ?? defaultConfigDir();
  const core = await openCore(configDir, 'pg-tunnel playground');
  try {
    console.info('Starting the local playground…');
    const profile = await core.commands.createPlayground();
    const state = await core
      .startWith(profile.id, {
        name: profile.name,
        host: parseHost(values.host) ?? profile.host,
        tls: tls ?? profile.tls,
        ...(port === undefined
          ? { portMode: profile.portMode, port: profile.port }
          : port === 0
            ? { portMode: 'random' as const }
            : { portMode: 'fixed' as const, port }),
      })
      .catch((error: Error) => {
        throw error instanceof RpcError ? new UsageError(error.message) : error;
      });
    if (state.status !== 'listening' || state.host === null || state.port === null) {
      const problem = state.problem?.message ?? 'The playground did not start.';
      // The window's advice names the profile; here the port is this command's flag.
      throw new UsageError(
        state.problem?.fix === 'change-port'
          ? problem.replace(pickAnotherPort(profile.name), 'Choose another with --port.')
          : problem,
      );
    }
    printBanner(state.host, state.port, {
      playground: true,
      caCertPath: (tls ?? profile.tls) ? localCaCertPath(configDir) : undefined,
    });
    warnIfExposed(state.host);
    console.info(
      `Its data is kept in ${playgroundDir(configDir)}, from one start to the next. Stop it with Ctrl+C.\n`,
    );
    if (state.problem) {
      // The playground keeps data it cannot use: where it is and how to get it back.
      console.warn(`⚠️  ${state.problem.message}\n`);
    }
    await untilSignal('Stopping…');
  } finally {
    await core.dispose();
  }
}

/**
 * The core on `configDir` (default: `defaultConfigDir()`) for the command `shell`; a damaged
 * profiles file is a sentence.
 */
async function openCore(configDir: string | undefined, shell: string): Promise<AppCore> {
  try {
    return await composeAppCore({
      configDir: configDir ?? defaultConfigDir(),
      version: packageVersion(),
      shell,
    });
  } catch (error) {
    throw error instanceof ProfilesFileError ? new UsageError(error.message) : error;
  }
}
