import { hostPort } from '../../../../shared/connection-details.js';
import { readConnectionInput } from '../../../../shared/connection-input.js';
import {
  DEFAULT_POSTGRES_PORT,
  type ChannelBinding,
  type DirectUpstream,
  type HostPort,
  type SessionAttrs,
  type SslMode,
} from '../../../../shared/direct-upstream.js';

/**
 * A direct profile's fields as the form shows them, named as the core names them at fault
 * (`upstream.host`…), so that an error lands on its field. The password and the key's passphrase
 * are empty on edit: the saved ones are kept. `kept` is the connection as read (saved, or
 * pasted): what it holds that the form has no field for (hostaddr, keepalives, sslnegotiation…)
 * goes back unchanged, so that nothing a pasted string said is lost.
 */
export interface DirectFormValues {
  'upstream.host': string;
  'upstream.port': string;
  'upstream.database': string;
  'upstream.user': string;
  password: string;
  'upstream.sslmode': SslMode;
  'upstream.sslrootcert': string;
  'upstream.channelBinding': ChannelBinding;
  /** The hosts after the first, as `host:port, host:port` (libpq's host and port lists). */
  'upstream.hosts': string;
  'upstream.targetSessionAttrs': SessionAttrs;
  'upstream.sslcert': string;
  'upstream.sslkey': string;
  /** The client key's passphrase (libpq's sslpassword), for the keychain. */
  sslPassword: string;
  'upstream.options': string;
  kept: DirectUpstream | undefined;
}

export type DirectField = Exclude<keyof DirectFormValues, 'kept'>;

/** The direct fields in the order they appear. */
export const DIRECT_FIELDS: readonly DirectField[] = [
  'upstream.host',
  'upstream.port',
  'upstream.database',
  'upstream.user',
  'password',
  'upstream.hosts',
  'upstream.targetSessionAttrs',
  'upstream.sslmode',
  'upstream.sslrootcert',
  'upstream.channelBinding',
  'upstream.sslcert',
  'upstream.sslkey',
  'sslPassword',
  'upstream.options',
];

/** The form's values for a saved connection (libpq's defaults when there is none). */
export function directValuesOf(upstream: DirectUpstream | undefined): DirectFormValues {
  return {
    'upstream.host': upstream?.host ?? '',
    'upstream.port': String(upstream?.port ?? DEFAULT_POSTGRES_PORT),
    'upstream.database': upstream?.database ?? '',
    'upstream.user': upstream?.user ?? '',
    password: '',
    'upstream.sslmode': upstream?.sslmode ?? 'prefer',
    'upstream.sslrootcert': upstream?.sslrootcert ?? '',
    'upstream.channelBinding': upstream?.channelBinding ?? 'prefer',
    'upstream.hosts': (upstream?.hosts ?? [])
      .slice(1)
      .map((entry) => hostPort(entry.host, entry.port))
      .join(', '),
    'upstream.targetSessionAttrs': upstream?.targetSessionAttrs ?? 'any',
    'upstream.sslcert': upstream?.sslcert ?? '',
    'upstream.sslkey': upstream?.sslkey ?? '',
    sslPassword: '',
    'upstream.options': upstream?.options ?? '',
    kept: upstream,
  };
}

/** The fields the form shows; the others of `kept` go back as they were. */
const SHOWN = new Set<string>([
  'host',
  'port',
  'database',
  'user',
  'sslmode',
  'sslrootcert',
  'channelBinding',
  'hosts',
  'targetSessionAttrs',
  'sslcert',
  'sslkey',
  'options',
]);

/**
 * The connection the fields describe: a port that is not digits is NaN (validation names it), an
 * empty database is the user's (libpq's default), an empty CA certificate libpq's default; the
 * fields `kept` has and the form does not show, unchanged.
 */
export function upstreamOf(values: DirectFormValues): DirectUpstream {
  const port = values['upstream.port'].trim();
  const user = values['upstream.user'].trim();
  const kept = Object.fromEntries(
    Object.entries(values.kept ?? {}).filter(([name]) => !SHOWN.has(name)),
  );
  const host = values['upstream.host'].trim();
  const first: HostPort = {
    host,
    port: /^\d+$/.test(port) ? Number(port) : NaN,
    ...(values.kept?.hosts?.[0]?.hostaddr ? { hostaddr: values.kept.hosts[0].hostaddr } : {}),
  };
  const others = otherHosts(values['upstream.hosts'], values.kept?.hosts ?? []);
  const optional = (field: DirectField): string | undefined =>
    (values[field] as string).trim() || undefined;
  const upstream: DirectUpstream = {
    ...kept,
    host,
    port: first.port,
    database: values['upstream.database'].trim() || user,
    user,
    sslmode: values['upstream.sslmode'],
    sslrootcert: values['upstream.sslrootcert'].trim() || null,
    channelBinding: values['upstream.channelBinding'],
  };
  const extras: Partial<DirectUpstream> = {
    hosts: others.length > 0 ? [first, ...others] : undefined,
    // any is libpq's default: left out unless the connection said it.
    targetSessionAttrs:
      values['upstream.targetSessionAttrs'] === 'any' && values.kept?.targetSessionAttrs !== 'any'
        ? undefined
        : values['upstream.targetSessionAttrs'],
    sslcert: optional('upstream.sslcert'),
    sslkey: optional('upstream.sslkey'),
    options: optional('upstream.options'),
  };
  for (const [name, value] of Object.entries(extras)) {
    if (value !== undefined) {
      Object.assign(upstream, { [name]: value });
    }
  }
  return upstream;
}

/**
 * `host:port, host:port` as typed (a bare host: port 5432; an IPv6 address in brackets), each
 * keeping the hostaddr it had in `known`. A port that is not digits is NaN (validation names it).
 */
function otherHosts(text: string, known: readonly HostPort[]): HostPort[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(\[[^\]]*\]|.*?)(?::([^:\]]*))?$/.exec(entry)!;
      const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
      const port =
        match[2] === undefined
          ? DEFAULT_POSTGRES_PORT
          : Number(/^\d+$/.test(match[2]) ? match[2] : NaN);
      const hostaddr = known.find((k) => k.host === host && k.port === port)?.hostaddr;
      return { host, port, ...(hostaddr ? { hostaddr } : {}) };
    });
}

/**
 * What a pasted connection string fills the fields with, its password and key passphrase
 * included, and the client settings it had that PG Tunnel leaves to each client. Undefined when
 * `text` is not a valid connection string (an API key, or a URL with a mistake, which the paste
 * field names).
 */
export function pastedConnection(
  text: string,
): { values: DirectFormValues; ignored: string[] } | undefined {
  const input = readConnectionInput(text, 'The pasted URL');
  if (input.kind !== 'direct') {
    return undefined;
  }
  return {
    values: {
      ...directValuesOf(input.upstream),
      password: input.password ?? '',
      sslPassword: input.sslPassword ?? '',
    },
    ignored: input.ignored,
  };
}
