#!/usr/bin/env node
import { runPlaygroundCommand, runUiCommand } from './app-commands.js';
import { runGatewayCommand } from './gateway-command.js';
import { runTunnelCommand } from './tunnel-command.js';
import { UsageError } from './usage-error.js';

const [command, ...rest] = process.argv.slice(2);

try {
  if (command === 'gateway') {
    await runGatewayCommand(rest);
  } else if (command === 'ui') {
    await runUiCommand(rest);
  } else if (command === 'playground') {
    await runPlaygroundCommand(rest);
  } else {
    await runTunnelCommand(process.argv.slice(2), process.env);
  }
  process.exit(0);
} catch (error) {
  // parseArgs throws TypeErrors with a code for unknown or malformed options: those are usage errors.
  const isUsage =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(
    isUsage
      ? (error as Error).message
      : `pg-tunnel failed: ${(error as Error).stack ?? String(error)}`,
  );
  process.exit(1);
}
