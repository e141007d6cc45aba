import { isLoopbackHost } from './loopback.js';

/**
 * libpq's sslmode values, weakest first (Postgres docs, "SSL Support", Table 32.1 "SSL Mode
 * Descriptions"): allow tries plain text first and TLS if that is refused; prefer the other way
 * round; require insists on TLS; verify-ca also checks the certificate's chain; verify-full also
 * that it names the host.
 */
export const SSL_MODES = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * libpq's channel_binding values (Postgres docs, "Parameter Key Words"): whether SCRAM binds the
 * login to the TLS connection (SCRAM-SHA-256-PLUS), so that a man in the middle holding a
 * certificate the client accepted still cannot relay the login.
 */
export const CHANNEL_BINDINGS = ['disable', 'prefer', 'require'] as const;
export type ChannelBinding = (typeof CHANNEL_BINDINGS)[number];

/** `sslrootcert=system`: the operating system's trusted CAs, as libpq 16 and later read it. */
export const SYSTEM_ROOT_CERTS = 'system';

export const DEFAULT_POSTGRES_PORT = 5432;

/**
 * What the window shows of a saved password: bullets only. An API key shows its last four
 * characters to tell keys apart; a password is short enough that every character shown is one
 * less to guess.
 */
export const PASSWORD_MASK = '••••••••';

/**
 * Where and as whom PG Tunnel logs in for a direct profile, in libpq's terms: everything of a
 * connection string but the password, which lives in the OS keychain only.
 */
export interface DirectUpstream {
  host: string;
  port: number;
  /** The database the profile serves; a client naming another lands here, with a notice. */
  database: string;
  user: string;
  sslmode: SslMode;
  /** A CA file (absolute path), `system`, or null: libpq's default, ~/.postgresql/root.crt. */
  sslrootcert: string | null;
  channelBinding: ChannelBinding;
  /**
   * libpq's connect_timeout in seconds, per host, every stage of connecting included (0: no
   * deadline); absent: PG Tunnel's 15 s.
   */
  connectTimeout?: number;
  /** libpq's options: command-line options for the server, sent before the client's own. */
  options?: string;
  /** A client certificate file (absolute path); absent: libpq's ~/.postgresql/postgresql.crt. */
  sslcert?: string;
  /** Its private key file; absent: libpq's ~/.postgresql/postgresql.key. */
  sslkey?: string;
  /** Whether the client certificate is offered: allow (the default) or disable. */
  sslcertmode?: 'disable' | 'allow';
  /** postgres (the default): an SSLRequest first; direct: TLS at once, ALPN `postgresql`. */
  sslnegotiation?: 'postgres' | 'direct';
  /** TLS versions to accept (libpq's ssl_min/max_protocol_version: TLSv1 … TLSv1.3). */
  sslMinProtocolVersion?: TlsVersion;
  sslMaxProtocolVersion?: TlsVersion;
  /** false: no SNI (libpq's sslsni=0). */
  sslsni?: false;
  /** A certificate revocation list file, or a directory of them (libpq's sslcrl, sslcrldir). */
  sslcrl?: string;
  sslcrldir?: string;
  /** libpq's hostaddr of the first host (see HostPort). */
  hostaddr?: string;
  /** false: no TCP keepalive on the database connection (libpq's keepalives=0). */
  keepalives?: false;
  /** Seconds of silence before the first keepalive probe (libpq's keepalives_idle). */
  keepalivesIdle?: number;
  /** libpq's require_auth: the methods the server may use, comma-separated, or all negated (!). */
  requireAuth?: string;
  /** The password file to read when no password is saved; absent: PGPASSFILE, ~/.pgpass. */
  passfile?: string;
  /**
   * Several hosts, tried in order (host and port are the first): libpq's host and port lists,
   * for a primary and its standbys. Absent for one host.
   */
  hosts?: HostPort[];
  /** Which of the hosts will do (libpq's target_session_attrs); absent: any. */
  targetSessionAttrs?: SessionAttrs;
  /** random: the hosts in a random order, as libpq's load_balance_hosts; absent: in order. */
  loadBalanceHosts?: 'random';
}

/** libpq's TLS protocol version names. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** One host of a host list and its port. */
export interface HostPort {
  host: string;
  port: number;
  /** libpq's hostaddr: the address to connect to; `host` still names it for TLS and passfile. */
  hostaddr?: string;
}

/**
 * libpq's target_session_attrs values (Postgres docs, "Parameter Key Words"): what a server must
 * be for the connection to stay with it, read from its in_hot_standby and
 * default_transaction_read_only.
 */
export const SESSION_ATTRS = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
] as const;
export type SessionAttrs = (typeof SESSION_ATTRS)[number];

/** The errors of a DirectUpstream's fields, each a sentence, by field name. */
export type DirectUpstreamErrors = Partial<Record<keyof DirectUpstream, string>>;

/**
 * Checks the fields of a direct profile as the form and the core see them (what came over a
 * transport may not even be strings), and the combinations libpq refuses or that can never log
 * in. Returns a sentence per field at fault.
 */
export function validateDirectUpstream(upstream: DirectUpstream): DirectUpstreamErrors {
  const errors: DirectUpstreamErrors = {};
  if (typeof upstream.host !== 'string' || !/^([^\s/,]+|\/[^,]*)$/.test(upstream.host)) {
    errors.host =
      'The database host is a name or an address, such as db.example.com, or the directory of a Unix socket.';
  }
  if (!Number.isInteger(upstream.port) || upstream.port < 1 || upstream.port > 65535) {
    errors.port = 'The database port is a number from 1 to 65535.';
  }
  if (typeof upstream.user !== 'string' || !upstream.user.trim()) {
    errors.user = 'Give the database user to log in as.';
  }
  if (!(SSL_MODES as readonly string[]).includes(upstream.sslmode)) {
    errors.sslmode = `The sslmode is one of ${SSL_MODES.join(', ')}.`;
  } else if (upstream.sslrootcert === SYSTEM_ROOT_CERTS && upstream.sslmode !== 'verify-full') {
    // libpq 16 refuses this too: the system's CAs vouch for names, so only verify-full is safe.
    errors.sslmode = `sslrootcert=system needs sslmode=verify-full (libpq refuses sslmode=${upstream.sslmode} with it).`;
  }
  if (typeof upstream.database !== 'string') {
    errors.database = 'The database is a name.';
  }
  // Left out (undefined, as a script may send it) is null: libpq's default file.
  if (
    (upstream.sslrootcert ?? null) !== null &&
    upstream.sslrootcert !== SYSTEM_ROOT_CERTS &&
    (typeof upstream.sslrootcert !== 'string' || !isAbsolutePath(upstream.sslrootcert))
  ) {
    errors.sslrootcert = 'The CA certificate is a full path to a file, or "system".';
  }
  if (!(CHANNEL_BINDINGS as readonly string[]).includes(upstream.channelBinding)) {
    errors.channelBinding = `channel_binding is one of ${CHANNEL_BINDINGS.join(', ')}.`;
  } else if (upstream.channelBinding === 'require' && upstream.sslmode === 'disable') {
    errors.channelBinding =
      'channel_binding=require needs TLS: choose an sslmode other than disable.';
  }
  if (
    upstream.hosts !== undefined &&
    (!Array.isArray(upstream.hosts) ||
      upstream.hosts.some(
        (entry) =>
          typeof entry?.host !== 'string' ||
          !entry.host ||
          !Number.isInteger(entry.port) ||
          entry.port < 1 ||
          entry.port > 65535,
      ))
  ) {
    errors.hosts =
      'The other hosts are host:port pairs separated by commas, such as standby.example.com:5432.';
  }
  if (
    upstream.targetSessionAttrs !== undefined &&
    !(SESSION_ATTRS as readonly string[]).includes(upstream.targetSessionAttrs)
  ) {
    errors.targetSessionAttrs = `target_session_attrs is one of ${SESSION_ATTRS.join(', ')}.`;
  }
  for (const field of ['sslcert', 'sslkey'] as const) {
    const path = upstream[field];
    if (path !== undefined && (typeof path !== 'string' || !isAbsolutePath(path))) {
      errors[field] =
        `The ${field === 'sslcert' ? 'client certificate' : 'client key'} is a full path to a file.`;
    }
  }
  return errors;
}

/**
 * A warning for a direct profile whose server's certificate is not checked, so that anyone on the
 * network path could pose as the server and read the password's proof and every query: sslmode
 * below verify-ca to a host that is not this machine. libpq's require checks the chain when a CA
 * file is given, so that counts as checked. Undefined when there is nothing to warn about.
 */
export function unverifiedServerWarning(upstream: DirectUpstream): string | undefined {
  if (isLoopbackHost(upstream.host) || isUnixSocketHost(upstream.host)) {
    return undefined;
  }
  const { sslmode, sslrootcert } = upstream;
  const checked =
    sslmode === 'verify-ca' ||
    sslmode === 'verify-full' ||
    (sslmode === 'require' && (sslrootcert ?? null) !== null && sslrootcert !== SYSTEM_ROOT_CERTS);
  if (checked) {
    return undefined;
  }
  const what =
    sslmode === 'require'
      ? 'is encrypted, but nothing checks that the server is who it says'
      : sslmode === 'disable'
        ? 'is not encrypted'
        : 'may go unencrypted, and nothing checks that the server is who it says';
  return `The connection to ${upstream.host} ${what} (sslmode=${sslmode}): someone on the network path could pose as the database. Use sslmode=verify-full with sslrootcert=system, or with the CA file of your provider.`;
}

/** A host that is a directory holding a Unix socket (libpq: a host that starts with /). */
export function isUnixSocketHost(host: string): boolean {
  return host.startsWith('/');
}

/**
 * An absolute path on any of the desktop systems: /…, C:\… (C:/…) or \\server\share. libpq reads a
 * relative one from the working directory, which means nothing for the app.
 */
function isAbsolutePath(path: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path);
}
