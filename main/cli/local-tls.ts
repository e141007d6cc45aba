import type { Tunnel } from '../engine/index.js';
import {
  openLocalCa,
  renewLocalTlsWhileServing,
  LocalCaError,
  type LocalCa,
  type LocalTlsRenewal,
} from '../tls/index.js';
import { makeConfigDirPrivate } from '../service/private-files.js';
import { UsageError } from './usage-error.js';

/**
 * The local CA of `configDir` for a command that serves TLS: made or renewed as needed, with what
 * was made said on standard output, in a config folder made owner-only first (as the app core
 * makes it; see makeConfigDirPrivate). A CA that cannot be used is a UsageError with its sentence.
 */
export async function openLocalCaForCli(configDir: string): Promise<LocalCa> {
  makeConfigDirPrivate(configDir, (line) => console.info(line));
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

/**
 * Keeps the certificate that `tunnel` serves (`opened.server`, from openLocalCaForCli) fresh while
 * it runs (see renewLocalTlsWhileServing), saying what was renewed on standard output and what
 * failed on standard error. stop() it with the tunnel.
 */
export function renewLocalTlsForCli(
  configDir: string,
  opened: LocalCa,
  tunnel: Pick<Tunnel, 'serveLocalTls'>,
): LocalTlsRenewal {
  return renewLocalTlsWhileServing({
    open: () => openLocalCa(configDir),
    served: opened.server,
    serve: (server) => tunnel.serveLocalTls(server),
    report: (level, message) =>
      level === 'info' ? console.info(`🔐 ${message}`) : console.warn(`⚠️  ${message}`),
  });
}
