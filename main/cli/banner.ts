import { hostPort } from '../../shared/connection-details.js';
import type { DirectUpstream } from '../../shared/direct-upstream.js';
import { isLoopbackHost } from '../../shared/loopback.js';

/**
 * The block the reference client prints, so scripts and docs written for it keep working. A direct
 * tunnel (`direct`) says where PG Tunnel logs in instead of the API key's sentence.
 */
export function printBanner(host: string, port: number, direct?: DirectUpstream): void {
  const how = direct
    ? `PG Tunnel logs in to ${hostPort(direct.host, direct.port)} as ${direct.user} (database ${direct.database}, sslmode=${direct.sslmode}); your clients need no password.`
    : 'Your connection is authenticated using your API key. Your database credentials are set automatically by the tunnel gateway.';
  console.info(`PG Tunnel listening on ${hostPort(host, port)} 🚀

${how}

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
