import { openLocalCa, LocalCaError, type LocalCa } from '../tls/index.js';
import { UsageError } from './usage-error.js';

/**
 * The local CA of `configDir` for a command that serves TLS: made or renewed as needed, with what
 * was made said on standard output. A CA that cannot be used is a UsageError with its sentence.
 */
export async function openLocalCaForCli(configDir: string): Promise<LocalCa> {
  try {
    const ca = await openLocalCa(configDir);
    for (const change of ca.changes) {
      console.info(`🔐 ${change}`);
    }
    return ca;
  } catch (error) {
    throw error instanceof LocalCaError ? new UsageError(error.message) : error;
  }
}
