import { isLoopbackHost } from '../../shared/profile.js';

/** The block the reference client prints, so scripts and docs written for it keep working. */
export function printBanner(host: string, port: number): void {
  console.info(`PG Tunnel listening on ${host}:${port} 🚀

Your connection is authenticated using your API key. Your database credentials are set automatically by the tunnel gateway.

==============================
hostname:  ${host}
port:      ${port}
username:  <anything>
password:  <none>
==============================
`);
}

/** Says, on standard error, that a port on a non-loopback address lets anyone reach the database. */
export function warnIfExposed(host: string): void {
  if (!isLoopbackHost(host)) {
    console.warn(
      `⚠️  Listening on ${host}, not on loopback: anyone who can reach this port reaches your database, with no password.`,
    );
  }
}
