import { hostPort } from '../../shared/connection-details.js';
import type { DirectUpstream } from '../../shared/direct-upstream.js';
import { isLoopbackHost } from '../../shared/loopback.js';

/** The playground's sentence in the banner: its user has no API key of their own. */
export const PLAYGROUND_LOGIN = 'playground';

/**
 * The block the reference client prints, so scripts and docs written for it keep working. A direct
 * tunnel (`direct`) says where PG Tunnel logs in instead of the API key's sentence, and the
 * playground (PLAYGROUND_LOGIN) that it makes and keeps its key itself.
 */
export function printBanner(
  host: string,
  port: number,
  login?: DirectUpstream | typeof PLAYGROUND_LOGIN,
): void {
  const how =
    login === PLAYGROUND_LOGIN
      ? "The playground's own gateway logs in to its Postgres for your clients, with a key PG Tunnel made and keeps: your clients need no password."
      : login
        ? `PG Tunnel logs in to ${hostPort(login.host, login.port)} as ${login.user} (database ${login.database}, sslmode=${login.sslmode}); your clients need no password.`
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
