import {
  CHANNEL_BINDINGS,
  DEFAULT_POSTGRES_PORT,
  SSL_MODES,
  SYSTEM_ROOT_CERTS,
  SESSION_ATTRS,
  TLS_VERSIONS,
  validateDirectUpstream,
  type ChannelBinding,
  type HostPort,
  type SessionAttrs,
  type TlsVersion,
  type DirectUpstream,
  type SslMode,
} from './direct-upstream.js';

/**
 * Reading libpq connection strings, both forms (Postgres docs, "Connection Strings"): the URI
 * `postgresql://user:password@host:port/dbname?key=value` and `key=value key='quoted value'`.
 * Errors are sentences that start with the name of the source ("DATABASE_URL", "The URL") and never
 * repeat the string: it may hold a password.
 */
export class ConnectionStringError extends Error {
  override readonly name = 'ConnectionStringError';
}

/** What a connection string leads to: a direct profile's fields and the password, if it had one. */
export interface DirectConnectionString {
  upstream: DirectUpstream;
  password: string | undefined;
  /** sslpassword: the passphrase of sslkey, a secret as the password is. */
  sslPassword: string | undefined;
  /**
   * Parameters that configure the client rather than where and how to log in (Prisma ORM's
   * `schema`, `connect_timeout`…), which PG Tunnel leaves to each client; in the order written.
   */
  ignored: string[];
}

/** The keywords PG Tunnel acts on. */
const READ = [
  'host',
  'port',
  'dbname',
  'user',
  'password',
  'sslmode',
  'sslrootcert',
  'channel_binding',
  'connect_timeout',
  'options',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcertmode',
  'sslnegotiation',
  'passfile',
  'gssencmode',
  'service',
  'target_session_attrs',
  'load_balance_hosts',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'sslsni',
  'sslcrl',
  'sslcrldir',
  'require_auth',
  'hostaddr',
  'keepalives',
  'keepalives_idle',
];

/**
 * libpq's settings for logging in with Kerberos (GSSAPI), which PG Tunnel cannot do: refused with
 * a sentence saying so, rather than as unknown.
 */
const KERBEROS = ['krbsrvname', 'gsslib', 'gssdelegation'];

/** libpq's settings of the client rather than of the login: a client of the local port brings its own. */
const LIBPQ_CLIENT_SETTINGS = [
  'application_name',
  'fallback_application_name',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
];

/**
 * Settings of the client, not of the login, which are accepted and named back as ignored: libpq's
 * (timeouts, application name, keepalives), and Prisma ORM's query-engine settings that its
 * DATABASE_URLs carry, which mean nothing to other clients.
 */
const CLIENT_SETTINGS = [
  ...LIBPQ_CLIENT_SETTINGS,
  'schema',
  'connection_limit',
  'pool_timeout',
  'pgbouncer',
  'socket_timeout',
  'statement_cache_size',
];

/**
 * libpq's keywords (src/interfaces/libpq/fe-connect.c, PQconninfoOptions): a `key=value` string
 * is told from an API key by its first keyword being one of them.
 */
const LIBPQ_KEYWORDS = new Set([
  ...READ,
  ...LIBPQ_CLIENT_SETTINGS,
  'hostaddr',
  'passfile',
  'client_encoding',
  'options',
  'sslnegotiation',
  'sslcompression',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcertmode',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'requirepeer',
  'require_auth',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'min_protocol_version',
  'max_protocol_version',
  'gssencmode',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'service',
  'target_session_attrs',
  'load_balance_hosts',
  'replication',
]);

const URI_PREFIX = /^postgres(ql)?:\/\//i;

/** Whether `text` is a connection string in either form (not an API key, not another URL). */
export function isConnectionString(text: string): boolean {
  const trimmed = text.trim();
  if (URI_PREFIX.test(trimmed)) {
    return true;
  }
  const first = /^([^\s=]+)\s*=/.exec(trimmed);
  return first !== null && LIBPQ_KEYWORDS.has(first[1]!);
}

/**
 * Reads a connection string (either form) into a direct profile's fields, with libpq's defaults:
 * port 5432, the database named after the user, sslmode prefer (verify-full with
 * sslrootcert=system), channel_binding prefer. `?ssl=true` in a URI means sslmode=require, as in
 * libpq.
 *
 * `services` reads the service files (main's; the window has none), for `service=NAME`.
 *
 * @throws ConnectionStringError for a string libpq would refuse, one that names no host or no user,
 *   a Unix socket, a value out of range, or a parameter PG Tunnel cannot act on
 *   (Kerberos among them).
 */
export function readConnectionString(
  text: string,
  source: string,
  services?: ServiceLookup,
): DirectConnectionString {
  const trimmed = text.trim();
  const written = URI_PREFIX.test(trimmed)
    ? parseUri(trimmed, source)
    : parseKeywordValue(trimmed, source);
  const parameters = withService(written, source, services);
  const ignored: string[] = [];
  const refused: string[] = [];
  for (const name of parameters.keys()) {
    if (KERBEROS.includes(name) || (name === 'gssencmode' && parameters.get(name) === 'require')) {
      throw new ConnectionStringError(
        `${source} has ${name === 'gssencmode' ? 'gssencmode=require' : name}: PG Tunnel cannot log in with Kerberos (GSSAPI); remove it, or use a password or a client certificate.`,
      );
    }
    if (CLIENT_SETTINGS.includes(name)) {
      ignored.push(name);
    } else if (!READ.includes(name)) {
      refused.push(name);
    }
  }
  if (refused.length > 0) {
    throw new ConnectionStringError(
      `${source} has ${refused.join(', ')}, which PG Tunnel cannot act on; remove ${refused.length === 1 ? 'it' : 'them'}. It reads ${READ.join(', ')}.`,
    );
  }
  return { ...resolve(parameters, source), ignored };
}

function resolve(
  parameters: Map<string, string>,
  source: string,
): Omit<DirectConnectionString, 'ignored'> {
  const hosts = readHosts(parameters, source);
  const { host, port, hostaddr } = hosts[0]!;
  const user = parameters.get('user') ?? '';
  if (user === '') {
    throw new ConnectionStringError(`${source} names no user (postgres://USER@host/database).`);
  }
  const sslrootcert = parameters.get('sslrootcert') || null;
  const sslmode =
    parameters.get('sslmode') ?? (sslrootcert === SYSTEM_ROOT_CERTS ? 'verify-full' : 'prefer');
  const channelBinding = parameters.get('channel_binding') ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new ConnectionStringError(
      `${source} has sslmode=${sslmode}; use one of ${SSL_MODES.join(', ')}.`,
    );
  }
  if (!(CHANNEL_BINDINGS as readonly string[]).includes(channelBinding)) {
    throw new ConnectionStringError(
      `${source} has channel_binding=${channelBinding}; use one of ${CHANNEL_BINDINGS.join(', ')}.`,
    );
  }
  const connectTimeout = parameters.get('connect_timeout');
  const sslcertmode = oneOf(parameters, 'sslcertmode', ['disable', 'allow'], source, (value) =>
    value === 'require'
      ? 'PG Tunnel cannot tell whether the server asked for the certificate; use sslcertmode=allow'
      : undefined,
  );
  const sslnegotiation = oneOf(parameters, 'sslnegotiation', ['postgres', 'direct'], source);
  if (sslnegotiation === 'direct' && !['require', 'verify-ca', 'verify-full'].includes(sslmode)) {
    throw new ConnectionStringError(
      `${source} has sslnegotiation=direct with sslmode=${sslmode}, which libpq refuses: use sslmode require, verify-ca or verify-full.`,
    );
  }
  oneOf(parameters, 'gssencmode', ['disable', 'prefer'], source);
  const targetSessionAttrs = oneOf(parameters, 'target_session_attrs', [...SESSION_ATTRS], source);
  const minTls = oneOf(parameters, 'ssl_min_protocol_version', [...TLS_VERSIONS], source);
  const maxTls = oneOf(parameters, 'ssl_max_protocol_version', [...TLS_VERSIONS], source);
  const sslsni = oneOf(parameters, 'sslsni', ['0', '1'], source);
  const requireAuth = parameters.get('require_auth');
  if (requireAuth !== undefined) {
    readRequireAuth(requireAuth, source);
  }
  const keepalives = oneOf(parameters, 'keepalives', ['0', '1'], source);
  const keepalivesIdle = parameters.get('keepalives_idle');
  const loadBalanceHosts = oneOf(parameters, 'load_balance_hosts', ['disable', 'random'], source);
  const upstream: DirectUpstream = {
    host,
    port,
    database: parameters.get('dbname') || user,
    user,
    sslmode: sslmode as SslMode,
    sslrootcert,
    channelBinding: channelBinding as ChannelBinding,
    ...(connectTimeout === undefined
      ? {}
      : { connectTimeout: readSeconds(connectTimeout, 'connect_timeout', source) }),
    ...present(parameters, 'options'),
    ...present(parameters, 'sslcert'),
    ...present(parameters, 'sslkey'),
    ...present(parameters, 'passfile'),
    ...(sslcertmode ? { sslcertmode: sslcertmode as 'disable' | 'allow' } : {}),
    ...(sslnegotiation ? { sslnegotiation: sslnegotiation as 'postgres' | 'direct' } : {}),
    ...(hosts.length > 1 ? { hosts } : {}),
    ...(hostaddr ? { hostaddr } : {}),
    ...(keepalives === '0' ? { keepalives: false as const } : {}),
    ...(keepalivesIdle === undefined
      ? {}
      : { keepalivesIdle: readSeconds(keepalivesIdle, 'keepalives_idle', source) }),
    ...(targetSessionAttrs && targetSessionAttrs !== 'any'
      ? { targetSessionAttrs: targetSessionAttrs as SessionAttrs }
      : {}),
    ...(loadBalanceHosts === 'random' ? { loadBalanceHosts: 'random' as const } : {}),
    ...(minTls ? { sslMinProtocolVersion: minTls as TlsVersion } : {}),
    ...(maxTls ? { sslMaxProtocolVersion: maxTls as TlsVersion } : {}),
    ...(sslsni === '0' ? { sslsni: false as const } : {}),
    ...present(parameters, 'sslcrl'),
    ...present(parameters, 'sslcrldir'),
    ...(requireAuth ? { requireAuth } : {}),
  };
  const problem = Object.values(validateDirectUpstream(upstream))[0];
  if (problem) {
    throw new ConnectionStringError(`${source}: ${problem}`);
  }
  return {
    upstream,
    password: parameters.get('password'),
    sslPassword: parameters.get('sslpassword') || undefined,
  };
}

/**
 * The hosts and their ports, as libpq pairs them (fe-connect.c, connectOptions2): `host` a list
 * joined by commas, `port` one for all or one per host (an empty one: 5432).
 *
 * @throws ConnectionStringError for no host, a Unix socket directory, a port that is not a
 *   number, or as many ports as hosts neither.
 */
function readHosts(parameters: Map<string, string>, source: string): HostPort[] {
  const addresses = parameters.get('hostaddr')?.split(',');
  // libpq: hostaddr alone names the hosts too; with host, one address per host.
  const names = (parameters.get('host') ?? parameters.get('hostaddr') ?? '').split(',');
  if (addresses && addresses.length !== names.length) {
    throw new ConnectionStringError(
      `${source} has ${addresses.length} hostaddr values for ${names.length} hosts: give one per host.`,
    );
  }
  if (names.some((name) => name === '')) {
    throw new ConnectionStringError(`${source} names no host (postgres://user@HOST/database).`);
  }
  const ports = (parameters.get('port') ?? '').split(',');
  if (ports.length !== 1 && ports.length !== names.length) {
    throw new ConnectionStringError(
      `${source} has ${ports.length} ports for ${names.length} hosts: give one port, or one per host.`,
    );
  }
  const hosts = names.map((host, i): HostPort => {
    const text = ports[ports.length === 1 ? 0 : i]! || String(DEFAULT_POSTGRES_PORT);
    const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    const hostaddr = addresses?.[i];
    return hostaddr ? { host, port, hostaddr } : { host, port };
  });
  // The first host's fields are checked with the rest of the profile (validateDirectUpstream).
  if (hosts.slice(1).some(({ port }) => !(port >= 1 && port <= 65535))) {
    throw new ConnectionStringError(`${source}: every port is a number from 1 to 65535.`);
  }
  return hosts;
}

/** `{ [name]: value }` when the string set `name` to something, else nothing. */
function present<K extends 'options' | 'sslcert' | 'sslkey' | 'passfile' | 'sslcrl' | 'sslcrldir'>(
  parameters: Map<string, string>,
  name: K,
): Partial<Record<K, string>> {
  const value = parameters.get(name);
  return value ? ({ [name]: value } as Record<K, string>) : {};
}

/**
 * libpq's require_auth (fe-connect.c): a comma-separated list of methods, all of them negated
 * with `!` or none.
 *
 * @throws ConnectionStringError for an unknown method or a list that mixes the two.
 */
export function readRequireAuth(
  text: string,
  source: string,
): { negated: boolean; methods: string[] } {
  const items = text.split(',');
  const negated = items[0]!.startsWith('!');
  const methods = items.map((item) => item.replace(/^!/, ''));
  const unknown = methods.find((method) => !AUTH_METHODS.includes(method));
  if (unknown !== undefined || items.some((item) => item.startsWith('!') !== negated)) {
    throw new ConnectionStringError(
      `${source} has require_auth=${text.slice(0, 60)}; give methods among ${AUTH_METHODS.join(', ')}, all of them or none negated with "!".`,
    );
  }
  return { negated, methods };
}

/** require_auth's methods. */
const AUTH_METHODS = ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'none'];

/**
 * The value of `name` if it is one of `allowed`; `why` may say why a known value cannot be used.
 *
 * @throws ConnectionStringError for any other value.
 */
function oneOf(
  parameters: Map<string, string>,
  name: string,
  allowed: string[],
  source: string,
  why: (value: string) => string | undefined = () => undefined,
): string | undefined {
  const value = parameters.get(name);
  if (value === undefined || allowed.includes(value)) {
    return value;
  }
  throw new ConnectionStringError(
    `${source} has ${name}=${value.slice(0, 20)}; ${why(value) ?? `use one of ${allowed.join(', ')}`}.`,
  );
}

/**
 * The parameters of a service file's section (Postgres docs, "The Connection Service File"), by
 * the service's name.
 *
 * @throws ConnectionStringError when no service file has it.
 */
export type ServiceLookup = (name: string) => Map<string, string>;

/**
 * `written` with the parameters of its `service` added where it sets none itself, as libpq merges
 * them (what the string says wins).
 *
 * @throws ConnectionStringError for a service where no service file can be read (the window).
 */
function withService(
  written: Map<string, string>,
  source: string,
  services: ServiceLookup | undefined,
): Map<string, string> {
  const name = written.get('service');
  if (name === undefined) {
    return written;
  }
  if (!services) {
    throw new ConnectionStringError(
      `${source} names service=${name.slice(0, 40)}, which cannot be read here: use "Add from…" to pick it from your service files.`,
    );
  }
  let found: Map<string, string>;
  try {
    found = services(name);
  } catch (error) {
    throw error instanceof ConnectionStringError
      ? new ConnectionStringError(`${source}: ${error.message}`)
      : error;
  }
  const merged = new Map(found);
  merged.delete('service');
  for (const [key, value] of written) {
    merged.set(key, value);
  }
  return merged;
}

/**
 * A number of seconds as libpq reads connect_timeout and keepalives_idle (fe-connect.c,
 * parse_int_param): an integer, surrounding spaces allowed; below zero counts as zero.
 */
function readSeconds(text: string, name: string, source: string): number {
  if (!/^\s*-?\d+\s*$/.test(text)) {
    throw new ConnectionStringError(
      `${source} has ${name}=${text.slice(0, 20)}; it is a whole number of seconds.`,
    );
  }
  return Math.max(0, Number(text));
}

/**
 * libpq's URI form (fe-connect.c, conninfo_uri_parse_options): the user spec runs to the first
 * `@` before any `/`; the password follows the first `:` in it; an IPv6 host is in brackets; a
 * comma starts another host; `?` starts `key=value` pairs joined by `&`. Every part is
 * percent-decoded; `+` is not a space.
 */
function parseUri(uri: string, source: string): Map<string, string> {
  const parameters = new Map<string, string>();
  let rest = uri.replace(URI_PREFIX, '');
  const userEnd = rest.search(/[@/]/);
  if (userEnd >= 0 && rest[userEnd] === '@') {
    const userSpec = rest.slice(0, userEnd);
    const colon = userSpec.indexOf(':');
    setDecoded(parameters, 'user', colon < 0 ? userSpec : userSpec.slice(0, colon), source);
    if (colon >= 0) {
      setDecoded(parameters, 'password', userSpec.slice(colon + 1), source);
    }
    rest = rest.slice(userEnd + 1);
  }
  const hostEnd = hostSpecEnd(rest, source);
  const hostSpec = rest.slice(0, hostEnd);
  rest = rest.slice(hostEnd);
  if (hostSpec !== '') {
    // libpq's lists: hosts joined by commas, and their ports likewise (an empty one: the default).
    const specs = splitHostList(hostSpec).map((spec) => splitHostPort(spec, source));
    parameters.set('host', specs.map((spec) => decode(spec.host, source)).join(','));
    if (specs.some((spec) => spec.port !== undefined)) {
      parameters.set('port', specs.map((spec) => decode(spec.port ?? '', source)).join(','));
    }
  }
  const query = rest.indexOf('?');
  const path = query < 0 ? rest : rest.slice(0, query);
  if (path.length > 1) {
    setDecoded(parameters, 'dbname', path.slice(1), source);
  }
  if (query >= 0) {
    for (const pair of rest.slice(query + 1).split('&')) {
      if (pair === '') {
        continue;
      }
      const parts = pair.split('=');
      if (parts.length !== 2) {
        throw new ConnectionStringError(
          `${source} has a query parameter without exactly one "=" (${decodeName(parts[0]!)}).`,
        );
      }
      const name = decode(parts[0]!, source);
      const value = decode(parts[1]!, source);
      if (name === 'ssl' && value === 'true') {
        parameters.set('sslmode', 'require');
      } else {
        parameters.set(name, value);
      }
    }
  }
  return parameters;
}

/** The host specs of a URI's host list: split at commas outside an IPv6 address's brackets. */
function splitHostList(hostSpec: string): string[] {
  const specs: string[] = [];
  let start = 0;
  let inBrackets = false;
  for (let i = 0; i <= hostSpec.length; i++) {
    const c = hostSpec[i];
    if (c === '[') {
      inBrackets = true;
    } else if (c === ']') {
      inBrackets = false;
    } else if (i === hostSpec.length || (c === ',' && !inBrackets)) {
      specs.push(hostSpec.slice(start, i));
      start = i + 1;
    }
  }
  return specs;
}

/** Where the host list ends: at the path or the query, brackets of an IPv6 address skipped. */
function hostSpecEnd(rest: string, source: string): number {
  let inBrackets = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '[') {
      inBrackets = true;
    } else if (c === ']') {
      inBrackets = false;
    } else if (!inBrackets && (c === '/' || c === '?')) {
      return i;
    }
  }
  if (inBrackets) {
    throw new ConnectionStringError(`${source} has an IPv6 host without its closing "]".`);
  }
  return rest.length;
}

function splitHostPort(hostSpec: string, source: string): { host: string; port?: string } {
  if (hostSpec.startsWith('[')) {
    const close = hostSpec.indexOf(']');
    const after = hostSpec.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      throw new ConnectionStringError(
        `${source} has something other than ":port" after the IPv6 host.`,
      );
    }
    const host = hostSpec.slice(1, close);
    return after.startsWith(':') ? { host, port: after.slice(1) } : { host };
  }
  const colon = hostSpec.indexOf(':');
  return colon < 0
    ? { host: hostSpec }
    : { host: hostSpec.slice(0, colon), port: hostSpec.slice(colon + 1) };
}

function setDecoded(
  parameters: Map<string, string>,
  name: string,
  value: string,
  source: string,
): void {
  parameters.set(name, decode(value, source));
}

/** libpq's conninfo_uri_decode: %XX escapes (no %00), nothing else. */
function decode(text: string, source: string): string {
  if (!/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(text) || /%00/.test(text)) {
    throw new ConnectionStringError(
      `${source} has a "%" that is not followed by two hex digits (or is %00): percent-encode special characters, such as @ as %40 in a password.`,
    );
  }
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConnectionStringError(`${source} has percent-encoded bytes that are not UTF-8.`);
  }
}

/** A parameter name for an error: its letters only, since a malformed pair may hold a value. */
function decodeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '').slice(0, 40) || '(empty)';
}

/**
 * libpq's `key=value` form (fe-connect.c, conninfo_parse): pairs separated by whitespace, spaces
 * allowed around `=`; a value in single quotes may hold spaces; a backslash takes the next
 * character as it is, in quotes or not.
 */
function parseKeywordValue(text: string, source: string): Map<string, string> {
  const parameters = new Map<string, string>();
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) {
      i++;
    }
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) {
      return parameters;
    }
    const nameStart = i;
    while (i < text.length && text[i] !== '=' && !/\s/.test(text[i]!)) {
      i++;
    }
    const name = text.slice(nameStart, i);
    skipSpace();
    if (text[i] !== '=') {
      throw new ConnectionStringError(
        `${source} has "${decodeName(name)}" without "=" and a value after it.`,
      );
    }
    i++;
    skipSpace();
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new ConnectionStringError(`${source} has a quoted value without its closing '.`);
        }
        const c = text[i++]!;
        if (c === "'") {
          break;
        }
        value += c === '\\' && i < text.length ? text[i++]! : c;
      }
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        const c = text[i++]!;
        value += c === '\\' && i < text.length ? text[i++]! : c;
      }
    }
    parameters.set(name, value);
  }
}
