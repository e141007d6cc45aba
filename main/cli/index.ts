#!/usr/bin/env node
import { keepYoungGenerationSmall } from '../relay/young-generation.js';
import { UsageError } from './usage-error.js';

// Before any command loads its modules: a young generation grown while starting stays grown.
keepYoungGenerationSmall();

const [command, ...rest] = process.argv.slice(2);

// Each command loads only its own modules: the tunnel, which people keep running all day, stays
// free of the app core (keychain add-on, embedded Postgres, config store) and of the gateway.
try {
  if (command === '--version') {
    console.info(`pg-tunnel ${(await import('./version.js')).packageVersion()}`);
  } else if (command === 'gateway') {
    await (await import('./gateway-command.js')).runGatewayCommand(rest);
  } else if (command === 'ui') {
    await (await import('./app-commands.js')).runUiCommand(rest);
  } else if (command === 'playground') {
    await (await import('./app-commands.js')).runPlaygroundCommand(rest);
  } else {
    await (
      await import('./tunnel-command.js')
    ).runTunnelCommand(process.argv.slice(2), process.env);
  }
  process.exit(0);
} catch (error) {
  // Errors the user can act on print as their sentence alone: ours (parseArgs' refusals become
  // ours in parseCommandLine) and a missing keychain (matched by name, so the tunnel need not load
  // it).
  const isUsage =
    error instanceof UsageError || (error as Error).name === 'KeychainUnavailableError';
  console.error(
    isUsage
      ? (error as Error).message
      : `pg-tunnel failed: ${(error as Error).stack ?? String(error)}`,
  );
  process.exit(1);
}
