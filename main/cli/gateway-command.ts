import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  createGateway,
  createJsonLogger,
  hashApiKey,
  loadGatewayConfig,
} from '../gateway/index.js';
import { parsePort, untilSignal } from './options.js';
import { UsageError } from './usage-error.js';

export const GATEWAY_HELP = `Usage: pg-tunnel gateway --config FILE [--host HOST] [--port PORT]
       pg-tunnel gateway hash-key [KEY]

Runs the server end of the tunnel: a WebSocket endpoint at /websocket that checks API keys and logs
in to each key's Postgres. GET /healthz and GET /metrics (Prometheus) on the same port.

hash-key prints the sha256:<hex> form of KEY for the config's keyHash; without KEY (or with -) it
reads the key from standard input, which keeps it out of the process list and shell history.
`;

export async function runGatewayCommand(args: string[]): Promise<void> {
  if (args[0] === 'hash-key') {
    const key =
      args[1] === undefined || args[1] === '-' ? (await text(process.stdin)).trim() : args[1];
    if (!key) {
      throw new UsageError('No key given: pass it as an argument or on standard input.');
    }
    process.stdout.write(`${hashApiKey(key)}\n`);
    return;
  }
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(GATEWAY_HELP);
    return;
  }
  if (!values.config) {
    throw new UsageError('The gateway needs --config FILE. See pg-tunnel gateway --help.');
  }
  let config;
  try {
    config = await loadGatewayConfig(values.config);
  } catch (error) {
    throw error instanceof ConfigError ? new UsageError(error.message) : error;
  }
  if (values.host) {
    config.listen.host = values.host;
  }
  if (values.port !== undefined) {
    config.listen.port = parsePort(values.port);
  }
  let gateway;
  try {
    gateway = createGateway(
      config,
      createJsonLogger((line) => process.stdout.write(line)),
    );
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
  await untilSignal();
  await gateway.close();
}
