import { parseApiKeyInput } from './api-key.js';
import {
  ConnectionStringError,
  isConnectionString,
  readConnectionString,
  type DirectConnectionString,
  type ServiceLookup,
} from './connection-string.js';

/**
 * What a pasted value makes: a Postgres connection string (`postgres://`, `postgresql://`, or
 * libpq's `key=value`, a db.prisma.io URL among them) makes a direct profile; an API key, bare or
 * as the `api_key` of a `prisma+postgres://` DATABASE_URL, a tunnel profile.
 */
export type ConnectionInput =
  | { kind: 'tunnel'; apiKey: string }
  | ({ kind: 'direct' } & DirectConnectionString)
  | { kind: 'invalid'; error: string };

/**
 * Tells what `text` is and reads it; the window's add form and the CLI both decide with this.
 * `source` names the value in error sentences ("DATABASE_URL", "The pasted value"), which never
 * repeat it: it holds a secret. `services` reads `service=NAME` from the service files (see
 * readConnectionString).
 */
export function readConnectionInput(
  text: string,
  source: string,
  services?: ServiceLookup,
): ConnectionInput {
  if (isConnectionString(text)) {
    try {
      return { kind: 'direct', ...readConnectionString(text, source, services) };
    } catch (error) {
      if (error instanceof ConnectionStringError) {
        return { kind: 'invalid', error: error.message };
      }
      throw error;
    }
  }
  const key = parseApiKeyInput(text, source);
  return key.ok ? { kind: 'tunnel', apiKey: key.apiKey } : { kind: 'invalid', error: key.error };
}
