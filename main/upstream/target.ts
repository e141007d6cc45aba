import { ConnectionStringError, readConnectionString } from '../../shared/connection-string.js';
import { hostPort } from '../../shared/connection-details.js';
import type {
  ChannelBinding,
  DirectUpstream,
  HostPort,
  SessionAttrs,
  SslMode,
  TlsVersion,
} from '../../shared/direct-upstream.js';
import { isUnixSocketHost } from '../../shared/direct-upstream.js';
import type { LoginParty } from '../failure/failure.js';
import { lookUpService } from './service-file.js';

export type { SslMode, ChannelBinding } from '../../shared/direct-upstream.js';

/** Where and how the connector logs in: for a gateway's API key, or for a direct profile. */
export interface UpstreamTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
  sslMode: SslMode;
  /** A CA file, `system` (the OS's trusted CAs), or undefined: libpq's ~/.postgresql/root.crt. */
  sslRootCert: string | undefined;
  channelBinding: ChannelBinding;
  /**
   * libpq's connect_timeout, seconds per host for every stage of connecting together; undefined:
   * DEFAULT_CONNECT_TIMEOUT_SECONDS (see connectTimeoutSeconds).
   */
  connectTimeout?: number;
  /** libpq's options, sent before the client's own (see DirectUpstream). */
  options?: string;
  /** Client certificate, its key and the key's passphrase; sslCertMode disable sends none. */
  sslCert?: string;
  sslKey?: string;
  sslPassword?: string;
  sslCertMode?: 'disable' | 'allow';
  /** direct: TLS at once with ALPN `postgresql`, no SSLRequest (libpq 17's sslnegotiation). */
  sslNegotiation?: 'postgres' | 'direct';
  /** The password file for a target without a password (see passwordFromPassfile). */
  passfile?: string;
  /** Several hosts (host and port are the first), tried as libpq does (see connectToHosts). */
  hosts?: HostPort[];
  targetSessionAttrs?: SessionAttrs;
  loadBalanceHosts?: 'random';
  /** TLS as libpq's ssl_min/max_protocol_version, sslsni, sslcrl and sslcrldir set it. */
  sslMinProtocolVersion?: TlsVersion;
  sslMaxProtocolVersion?: TlsVersion;
  sslSni?: false;
  sslCrl?: string;
  sslCrlDir?: string;
  /** The address to connect to instead of resolving `host` (libpq's hostaddr). */
  hostaddr?: string;
  /** TCP keepalive on the database connection: off with false; its first probe after seconds. */
  keepalives?: false;
  keepalivesIdle?: number;
  /** libpq's require_auth, as written (see readRequireAuth). */
  requireAuth?: string;
  /** Who logs in, for the sentences clients are shown when it fails. */
  by: LoginParty;
}

/**
 * Reads a gateway key's `postgres://user:pass@host:port/db?sslmode=...` (the password also as
 * libpq's `?password=`), with libpq's defaults and rules (see readConnectionString). Parameters
 * that configure a client (connect_timeout, Prisma's schema…) are refused here rather than ignored:
 * a setting the gateway silently dropped would show up later as a login that behaves unexpectedly.
 *
 * @param passwordFromEnv the password from the key's passwordEnv, which wins over the URL's.
 * @throws Error whose message continues "upstream …" (it never contains the URL: it may hold a
 *   password).
 */
export function parseUpstreamUrl(url: string, passwordFromEnv?: string): UpstreamTarget {
  if (!/^postgres(ql)?:\/\//i.test(url.trim())) {
    throw new Error('must be a postgres:// URL (postgres://user:password@host:port/database)');
  }
  let parsed;
  try {
    parsed = readConnectionString(url, 'The URL', lookUpService);
  } catch (error) {
    if (error instanceof ConnectionStringError) {
      throw new Error(lowerFirst(error.message.replace(/^The URL:? /, '')).replace(/\.$/, ''));
    }
    throw error;
  }
  if (parsed.ignored.length > 0) {
    throw new Error(
      `has ${parsed.ignored.join(', ')}, which the gateway does not use; remove ${parsed.ignored.length === 1 ? 'it' : 'them'}`,
    );
  }
  return upstreamTargetOf(
    parsed.upstream,
    passwordFromEnv ?? parsed.password,
    { kind: 'gateway' },
    parsed.sslPassword,
  );
}

/**
 * A direct profile's fields, its password and its key's passphrase (from the keychain, or the
 * URL) and who logs in, as a target.
 */
export function upstreamTargetOf(
  upstream: DirectUpstream,
  password: string | undefined,
  by: LoginParty,
  sslPassword?: string,
): UpstreamTarget {
  return {
    host: upstream.host,
    port: upstream.port,
    user: upstream.user,
    database: upstream.database,
    password,
    sslMode: upstream.sslmode,
    sslRootCert: upstream.sslrootcert ?? undefined,
    channelBinding: upstream.channelBinding,
    ...defined({
      connectTimeout: upstream.connectTimeout,
      options: upstream.options,
      sslCert: upstream.sslcert,
      sslKey: upstream.sslkey,
      sslPassword,
      sslCertMode: upstream.sslcertmode,
      sslNegotiation: upstream.sslnegotiation,
      passfile: upstream.passfile,
      hosts: upstream.hosts,
      targetSessionAttrs: upstream.targetSessionAttrs,
      loadBalanceHosts: upstream.loadBalanceHosts,
      sslMinProtocolVersion: upstream.sslMinProtocolVersion,
      sslMaxProtocolVersion: upstream.sslMaxProtocolVersion,
      sslSni: upstream.sslsni,
      sslCrl: upstream.sslcrl,
      sslCrlDir: upstream.sslcrldir,
      requireAuth: upstream.requireAuth,
      hostaddr: upstream.hostaddr,
      keepalives: upstream.keepalives,
      keepalivesIdle: upstream.keepalivesIdle,
    }),
    by,
  };
}

/** host:port of the target, an IPv6 host in brackets; a Unix socket's path. */
export function addressOf(target: UpstreamTarget): string {
  return isUnixSocketHost(target.host)
    ? unixSocketPath(target)
    : hostPort(target.host, target.port);
}

/** Where Postgres's Unix socket is for a host that is its directory: `DIR/.s.PGSQL.PORT`. */
export function unixSocketPath(target: UpstreamTarget): string {
  return `${target.host.replace(/\/$/, '')}/.s.PGSQL.${target.port}`;
}

/** The target without its password, for logs. */
export function describeTarget(target: UpstreamTarget): string {
  return `${target.user}@${addressOf(target)}/${target.database}`;
}

/** `fields` without those that are undefined (the target's optional fields are absent, not undefined). */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
