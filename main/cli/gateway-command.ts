import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  DEFAULT_LISTEN,
  createGateway,
  createJsonLogger,
  hashApiKey,
  loadGatewayConfig,
  reloadConfigFile,
  type GatewayConfig,
} from '../gateway/index.js';
import { atMostArguments, parseCommandLine } from './command-line.js';
import { parseHost, parsePort, untilSignal } from './options.js';
import { UsageError } from './usage-error.js';

/** Seconds open sessions may go on after SIGTERM before they are ended. */
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 30;

export const GATEWAY_HELP = `Usage: pg-tunnel gateway --config FILE [--host HOST] [--port PORT] [--drain-timeout SECONDS]
       pg-tunnel gateway hash-key [KEY | -]

Runs the server end of the tunnel: a WebSocket endpoint at /websocket that checks API keys and logs
in to each key's Postgres. GET /healthz on the same port; GET /metrics (Prometheus) there too,
or on the address of the config's "metrics": { "host", "port" }.

Options:
      --config FILE            the gateway's JSON config: keys, upstreams, limits (required)
  -h, --host HOST              address to listen on (default: the config's listen.host, else
                               ${DEFAULT_LISTEN.host}); -h is --host here as in pg-tunnel
  -p, --port PORT              port to listen on (default: the config's listen.port, else ${DEFAULT_LISTEN.port})
      --drain-timeout SECONDS  how long open sessions may go on after SIGTERM (default ${DEFAULT_DRAIN_TIMEOUT_SECONDS})
      --help                   show this help

SIGHUP re-reads the config file: new and changed keys serve new sessions at once, open sessions
go on; an invalid file is refused and the config in force stays. SIGTERM or SIGINT drains:
/healthz answers 503 and new tunnels are refused at once, open sessions may go on for
--drain-timeout seconds (default ${DEFAULT_DRAIN_TIMEOUT_SECONDS}), then end with a FATAL saying the gateway is shutting down.
A second SIGTERM or SIGINT ends them at once.

hash-key prints the sha256:<hex> form of KEY for the config's keyHash; without KEY (or with -) it
reads the key from standard input, which keeps it out of the process list and shell history
(see pg-tunnel gateway hash-key --help).
`;

export async function runGatewayCommand(args: string[]): Promise<void> {
  if (args[0] === 'hash-key') {
    await runHashKeyCommand(args.slice(1));
    return;
  }
  const { values } = parseCommandLine('pg-tunnel gateway', () =>
    parseArgs({
      args,
      options: {
        config: { type: 'string' },
        host: { type: 'string', short: 'h' },
        port: { type: 'string', short: 'p' },
        'drain-timeout': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (values.help) {
    process.stdout.write(GATEWAY_HELP);
    return;
  }
  if (!values.config) {
    throw new UsageError('The gateway needs --config FILE. See pg-tunnel gateway --help.');
  }
  const drainTimeoutSeconds = parseDrainTimeout(values['drain-timeout']);
  const port = values.port === undefined ? undefined : parsePort(values.port);
  // The command line's address wins over the file's, at start and on every reload.
  const withFlags = (loaded: GatewayConfig): GatewayConfig => ({
    ...loaded,
    listen: {
      host: parseHost(values.host) || loaded.listen.host,
      port: port ?? loaded.listen.port,
    },
  });
  let config;
  try {
    config = withFlags(await loadGatewayConfig(values.config));
  } catch (error) {
    throw error instanceof ConfigError ? new UsageError(error.message) : error;
  }
  const log = createJsonLogger((line) => process.stdout.write(line));
  let gateway;
  try {
    gateway = createGateway(config, log);
  } catch (error) {
    // The one thing creating it reads from disk: the TLS certificate and key of the config.
    throw new UsageError(
      `The gateway cannot load its TLS certificate or key: ${(error as Error).message}.`,
    );
  }
  try {
    await gateway.listen();
  } catch (error) {
    throw new UsageError(
      `The gateway cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}.`,
    );
  }
  const configPath = values.config;
  let reloading: Promise<unknown> = Promise.resolve();
  // One reload at a time, in the order the signals came; also while draining (SIGHUP's default
  // action would kill the process).
  process.on('SIGHUP', () => {
    reloading = reloading
      .then(() => reloadConfigFile(gateway, configPath, log, withFlags))
      .catch((error: Error) => log.error('config reload failed', { reason: error.message }));
  });
  await untilSignal();
  const now = (): void => gateway.endDrainNow();
  process.once('SIGTERM', now).once('SIGINT', now);
  await gateway.drain(drainTimeoutSeconds * 1000);
}

const HASH_KEY = 'pg-tunnel gateway hash-key';

export const HASH_KEY_HELP = `Usage: ${HASH_KEY} [KEY | -]

Prints the sha256:<hex> form of KEY for the gateway config's keyHash. Without KEY (or with -) it
reads the key from standard input, which keeps it out of the process list and shell history.
A KEY that starts with "-" goes after --: ${HASH_KEY} -- -KEY.
`;

/** `pg-tunnel gateway hash-key`: an option is never taken for the key (a hash of "--help"). */
async function runHashKeyCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(HASH_KEY, () =>
    parseArgs({
      args,
      options: { help: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help) {
    process.stdout.write(HASH_KEY_HELP);
    return;
  }
  atMostArguments(HASH_KEY, positionals, 1);
  const [given] = positionals;
  const key = given === undefined || given === '-' ? (await text(process.stdin)).trim() : given;
  if (!key) {
    throw new UsageError('No key given: pass it as an argument or on standard input.');
  }
  process.stdout.write(`${hashApiKey(key)}\n`);
}

/** `--drain-timeout`: whole seconds, 0 or more. */
function parseDrainTimeout(value: string | undefined): number {
  if (value === undefined) {
    return DEFAULT_DRAIN_TIMEOUT_SECONDS;
  }
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`--drain-timeout takes a number of seconds, 0 or more (got ${value}).`);
  }
  return Number(value);
}
