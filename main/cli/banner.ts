import { conninfoValue } from '../../shared/connection-details.js';
import { isLoopbackHost } from '../../shared/profile.js';

/**
 * The block the reference client prints, so scripts and docs written for it keep working; with
 * `caCertPath` (TLS on), the lines under it that say so and name the CA file clients verify with.
 * One write, so that whoever reads the block reads it whole.
 */
export function printBanner(host: string, port: number, caCertPath?: string): void {
  const tls = caCertPath
    ? `
🔒 TLS is on: clients may ask for it (sslmode=require). To verify the tunnel, give them its CA:
   sslmode=verify-full sslrootcert=${conninfoValue(caCertPath)}
`
    : '';
  console.info(`PG Tunnel listening on ${host}:${port} 🚀

Your connection is authenticated using your API key. Your database credentials are set automatically by the tunnel gateway.

==============================
hostname:  ${host}
port:      ${port}
username:  <anything>
password:  <none>
==============================
${tls}`);
}

/** Says, on standard error, that a port on a non-loopback address lets anyone reach the database. */
export function warnIfExposed(host: string): void {
  if (!isLoopbackHost(host)) {
    console.warn(
      `⚠️  Listening on ${host}, not on loopback: anyone who can reach this port reaches your database, with no password.`,
    );
  }
}
