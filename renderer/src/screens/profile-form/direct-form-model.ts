import { readConnectionInput } from '../../../../shared/connection-input.js';
import {
  DEFAULT_POSTGRES_PORT,
  type ChannelBinding,
  type DirectUpstream,
  type SslMode,
} from '../../../../shared/direct-upstream.js';

/**
 * A direct profile's fields as the form shows them, named as the core names them at fault
 * (`upstream.host`…), so that an error lands on its field. The password is empty on edit: the
 * saved one is kept.
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
}

export type DirectField = keyof DirectFormValues;

/** The direct fields in the order they appear. */
export const DIRECT_FIELDS: readonly DirectField[] = [
  'upstream.host',
  'upstream.port',
  'upstream.database',
  'upstream.user',
  'password',
  'upstream.sslmode',
  'upstream.sslrootcert',
  'upstream.channelBinding',
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
  };
}

/**
 * The connection the fields describe: a port that is not digits is NaN (validation names it), an
 * empty database is the user's (libpq's default), an empty CA certificate libpq's default.
 */
export function upstreamOf(values: DirectFormValues): DirectUpstream {
  const port = values['upstream.port'].trim();
  const user = values['upstream.user'].trim();
  return {
    host: values['upstream.host'].trim(),
    port: /^\d+$/.test(port) ? Number(port) : NaN,
    database: values['upstream.database'].trim() || user,
    user,
    sslmode: values['upstream.sslmode'],
    sslrootcert: values['upstream.sslrootcert'].trim() || null,
    channelBinding: values['upstream.channelBinding'],
  };
}

/**
 * What a pasted connection string fills the fields with, its password included, and the client
 * settings it had that PG Tunnel leaves to each client. Undefined when `text` is not a valid
 * connection string (an API key, or a URL with a mistake, which the paste field names).
 */
export function pastedConnection(
  text: string,
): { values: DirectFormValues; ignored: string[] } | undefined {
  const input = readConnectionInput(text, 'The pasted URL');
  if (input.kind !== 'direct') {
    return undefined;
  }
  return {
    values: { ...directValuesOf(input.upstream), password: input.password ?? '' },
    ignored: input.ignored,
  };
}
