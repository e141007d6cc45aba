import { conninfoValue, hostPort } from '../../shared/connection-details.js';
import type { DirectUpstream } from '../../shared/direct-upstream.js';
import { isLoopbackHost } from '../../shared/loopback.js';

/** What the banner says beyond the address. */
export interface BannerOptions {
  /** A direct tunnel: where PG Tunnel logs in, said instead of the API key's sentence. */
  direct?: DirectUpstream;
  /** The playground: its user has no API key; its own gateway logs in with one PG Tunnel keeps. */
  playground?: boolean;
  /** TLS on: the local CA's certificate file, named for clients that verify. */
  caCertPath?: string;
}

/**
 * The block the reference client prints, so scripts and docs written for it keep working; with
 * TLS on, the lines under it that say so and name the CA file clients verify with. One write, so
 * that whoever reads the block reads it whole.
 */
export function printBanner(
  host: string,
  port: number,
  { direct, playground, caCertPath }: BannerOptions = {},
): void {
  const how = playground
    ? "The playground's own gateway logs in to its Postgres for your clients, with a key PG Tunnel made and keeps: your clients need no password."
    : direct
      ? `PG Tunnel logs in to ${hostPort(direct.host, direct.port)} as ${direct.user} (database ${direct.database}, sslmode=${direct.sslmode}); your clients need no password.`
      : 'Your connection is authenticated using your API key. Your database credentials are set automatically by the tunnel gateway.';
  const tls = caCertPath
    ? `
🔒 TLS is on: clients may ask for it (sslmode=require). To verify the tunnel, give them its CA:
   sslmode=verify-full sslrootcert=${conninfoValue(caCertPath)}
`
    : '';
  console.info(`PG Tunnel listening on ${hostPort(host, port)} 🚀

${how}

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
