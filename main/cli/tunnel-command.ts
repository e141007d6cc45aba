import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatBytes, formatDuration, printable, safeUrl } from '../../shared/format.js';
import { unverifiedServerWarning } from '../../shared/direct-upstream.js';
import { DEFAULT_LOCAL_TLS, WARM_LOGINS_MODES, type WarmLoginsMode } from '../../shared/profile.js';
import { DEFAULT_GATEWAY_URL, ListenError, Tunnel, type TunnelOptions } from '../engine/index.js';
import { defaultConfigDir } from '../service/config-dir.js';
import { sentenceWithHint } from '../failure/failure.js';
import { upstreamTargetOf } from '../upstream/target.js';
import { printBanner, warnIfExposed } from './banner.js';
import { reportFarSideChecks } from './far-side-checks.js';
import { openLocalCaForCli, renewLocalTlsForCli } from './local-tls.js';
import { parseHost, parseOnOff, parsePort, untilSignal } from './options.js';
import { routeFromEnvironment, type CliRoute } from './route-env.js';
import { parseCommandLine } from './command-line.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from './version.js';

export const TUNNEL_HELP = `Usage: pg-tunnel [options]

Opens a local Postgres port that leads to your database, with no password for its clients:
  - DATABASE_URL=postgres://user:password@host/db?sslrootcert=system: a direct tunnel; PG Tunnel
    logs in itself, over TLS as libpq does (the password may come from PGPASSWORD instead);
  - PDP_API_KEY, or DATABASE_URL=prisma+postgres://…?api_key=…: through an authenticated
    WebSocket to a tunnel gateway.
A .env file in the working directory fills in unset variables.

Options:
  -h, --host HOST      address to listen on (default 127.0.0.1)
  -p, --port PORT      port to listen on (default: a free port)
      --url URL        a postgres:// URL without its password (give that in PGPASSWORD)
      --gateway URL    tunnel gateway (default $PPG_WS_URL, else ${DEFAULT_GATEWAY_URL})
      --tls on|off     TLS on the local port for clients that ask for it (default ${DEFAULT_LOCAL_TLS ? 'on' : 'off'}),
                       with a certificate from the local CA in the config directory
      --local-password-env NAME
                       clients of the local port log in with the password in the environment
                       variable NAME (SCRAM-SHA-256, channel binding over the local TLS)
      --warm-logins adaptive|off
                       a direct tunnel keeps a few logins to the database ready while in use,
                       for clients that open the same connection again (default adaptive)
      --config-dir DIR where the local CA lives (default ${defaultConfigDir()})
  -v, --verbose        print the type of every Postgres message
      --help           show this help
      --version        print the version of pg-tunnel

Other commands:
  pg-tunnel playground [--port P]   a local Postgres behind a tunnel, to try it all out
  pg-tunnel ui [--port P]           the app's window in your browser
  pg-tunnel gateway --config FILE   run the server end of the tunnel
  pg-tunnel gateway hash-key [KEY]  print the hash of an API key for the gateway config
`;

export async function runTunnelCommand(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseCommandLine('pg-tunnel', () =>
    parseArgs({
      args,
      options: {
        host: { type: 'string', short: 'h' },
        port: { type: 'string', short: 'p' },
        gateway: { type: 'string' },
        url: { type: 'string' },
        tls: { type: 'string' },
        'config-dir': { type: 'string' },
        'local-password-env': { type: 'string' },
        'warm-logins': { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (values.help) {
    process.stdout.write(TUNNEL_HELP);
    return;
  }
  loadDotEnv();
  const port = parsePort(values.port);
  const tls = parseOnOff('--tls', values.tls) ?? DEFAULT_LOCAL_TLS;
  const host = parseHost(values.host) ?? '127.0.0.1';
  const route = routeFromEnvironment(env, values.url);
  if (route.kind === 'direct' && values.gateway !== undefined) {
    throw new UsageError(
      `--gateway is for API keys; the postgres:// URL of ${route.source} is reached directly.`,
    );
  }
  const warmLogins = parseWarmLogins(values['warm-logins']);
  if (warmLogins !== undefined && route.kind !== 'direct') {
    throw new UsageError(
      '--warm-logins is for a direct tunnel (a postgres:// URL); through a gateway, the tunnel keeps its WebSockets warm by itself.',
    );
  }

  const localPassword = localPasswordFrom(env, values['local-password-env']);
  const configDir = values['config-dir'] ?? defaultConfigDir();
  const localCa = tls ? await openLocalCaForCli(configDir) : undefined;
  const tunnel = new Tunnel({
    ...routeOptions(route, values.gateway ?? env['PPG_WS_URL']),
    ...(warmLogins === 'off' ? { maxWarmLogins: 0 } : {}),
    host,
    port,
    tls: localCa?.server,
    localPassword,
    onFrame: values.verbose
      ? (id, direction, type) =>
          console.debug(`${direction === 'client' ? '-->' : '<--'} [${id}] ${type}`)
      : undefined,
  });
  tunnel.on('session-opened', (s) =>
    console.info(
      `⏩ [${s.id}] ${s.clientAddress} connected: user ${printable(s.user)}, database ${printable(s.database)}` +
        (s.applicationName ? `, application ${printable(s.applicationName)}` : ''),
    ),
  );
  tunnel.on('session-closed', (s, reason) =>
    console.info(
      `✖️  [${s.id}] closed after ${formatDuration(Date.now() - s.openedAt)} ` +
        `(${formatBytes(s.bytesFromClient)} sent, ${formatBytes(s.bytesToClient)} received)` +
        (reason ? `: ${printable(reason.message)}` : ''),
    ),
  );
  tunnel.on('client-rejected', ({ clientAddress, reason }) =>
    console.info(`⚠️  ${clientAddress}: ${printable(reason)}`),
  );
  tunnel.on('far-side-note', (sentence) => console.info(`ℹ️  ${sentence}`));

  // Listening before the first dial's answer: it may come after listen() resolves.
  const refusedAtStart = reportFarSideChecks(tunnel);
  let address;
  try {
    address = await tunnel.listen();
  } catch (error) {
    if (error instanceof ListenError) {
      throw new UsageError(
        error.failure.fix === 'change-port'
          ? `${error.message} Choose another with --port.`
          : error.message,
      );
    }
    throw error;
  }
  printBanner(address.address, address.port, {
    direct: route.kind === 'direct' ? route.upstream : undefined,
    caCertPath: localCa?.caCertPath,
  });
  warnIfExposed(host);
  if (route.overrides) {
    console.info(
      overridesNotice(route.kind === 'direct' ? route.source : 'PDP_API_KEY', route.overrides),
    );
  }
  const renewal = localCa && renewLocalTlsForCli(configDir, localCa, tunnel);
  if (route.kind === 'direct') {
    const warning = unverifiedServerWarning(route.upstream);
    if (warning) {
      console.warn(`⚠️  ${warning}`);
    }
    if (route.ignored.length > 0) {
      console.info(
        `Ignored in ${route.source}: ${route.ignored.join(', ')} (client settings: each client brings its own).`,
      );
    }
  }

  const refused = await Promise.race([untilSignal('Stopping the tunnel…'), refusedAtStart]);
  renewal?.stop();
  await tunnel.stop('kill');
  if (refused) {
    throw new UsageError(`❌ ${sentenceWithHint(refused)}`);
  }
}

/** The line saying which of the set variables the route leaves unused, and which one it follows. */
function overridesNotice(used: string, ignored: readonly string[]): string {
  const names = ignored.join(' and ');
  return `Using ${used}; ${names} ${ignored.length > 1 ? 'are' : 'is'} set too, and ignored.`;
}

/** The engine's options for the route: the gateway and key, or the database with its password. */
function routeOptions(route: CliRoute, gateway: string | undefined): TunnelOptions {
  if (route.kind === 'direct') {
    const by = { kind: 'direct' as const, passwordHint: route.passwordHint };
    return { direct: upstreamTargetOf(route.upstream, route.password, by, route.sslPassword) };
  }
  const gatewayUrl = gateway ?? DEFAULT_GATEWAY_URL;
  if (!/^wss?:\/\//.test(gatewayUrl)) {
    throw new UsageError(
      `The gateway URL must start with wss:// or ws:// (got ${safeUrl(gatewayUrl)}).`,
    );
  }
  return { apiKey: route.apiKey, gatewayUrl, userAgent: `pg-tunnel/${packageVersion()}` };
}

/** `--warm-logins`: adaptive or off (see Profile.warmLogins); undefined when not given. */
function parseWarmLogins(value: string | undefined): WarmLoginsMode | undefined {
  if (value === undefined || (WARM_LOGINS_MODES as readonly string[]).includes(value)) {
    return value as WarmLoginsMode | undefined;
  }
  throw new UsageError(`--warm-logins takes adaptive or off (got ${printable(value)}).`);
}

/** Like the reference client: a .env in the working directory fills in unset variables. */
function loadDotEnv(): void {
  if (existsSync('.env')) {
    try {
      process.loadEnvFile('.env');
    } catch (error) {
      throw new UsageError(`Cannot read .env: ${(error as Error).message}`);
    }
  }
}

/**
 * `--local-password-env NAME`: the local port's password, read from the environment so that it
 * is in no process argument. Absent: undefined (no local login).
 *
 * @throws UsageError when NAME is not set, or empty.
 */
function localPasswordFrom(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (name === undefined) {
    return undefined;
  }
  const password = env[name];
  if (!password) {
    throw new UsageError(
      `--local-password-env names ${name}, which is not set: set it to the password the local port's clients are to log in with.`,
    );
  }
  return password;
}
