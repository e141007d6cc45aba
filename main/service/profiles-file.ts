import { z } from 'zod';
import { CHANNEL_BINDINGS, SSL_MODES } from '../../shared/direct-upstream.js';
import { DEFAULT_LOCAL_TLS, type Profile } from '../../shared/profile.js';
import type { Settings } from '../../shared/tunnel-state.js';
import { configIssueSentence, configIssueWords } from '../config/issues.js';

/** The settings a file that has none (or lacks one) reads as. */
export const DEFAULT_SETTINGS: Settings = {
  startAtLogin: false,
  startHidden: true,
  autoStartTunnels: true,
};

/** What profiles.json holds. Never a secret: keys and passwords live in the keychain. */
export interface StoreShape {
  profiles: Profile[];
  settings: Settings;
  /** Where each saved secret may go, by profile id (see SecretBindings); absent before 0.2. */
  secretBindings?: Record<string, string>;
}

// Loose objects: a field a newer version saved is kept, not dropped, when this one rewrites the file.
const upstreamSchema = z.looseObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  database: z.string(),
  user: z.string(),
  sslmode: z.enum(SSL_MODES),
  sslrootcert: z.string().nullable(),
  channelBinding: z.enum(CHANNEL_BINDINGS),
  connectTimeout: z.number().int().min(0).optional(),
  options: z.string().optional(),
  sslcert: z.string().optional(),
  sslkey: z.string().optional(),
  sslcertmode: z.enum(['disable', 'allow']).optional(),
  sslnegotiation: z.enum(['postgres', 'direct']).optional(),
  passfile: z.string().optional(),
});

const profileSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  kind: z.enum(['tunnel', 'direct', 'playground']),
  gatewayUrl: z.string(),
  upstream: upstreamSchema.optional(),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).nullable(),
  portMode: z.enum(['random', 'fixed']),
  autoStart: z.boolean(),
  tls: z.boolean(),
  localLogin: z.boolean().optional(),
  warmLogins: z.enum(['adaptive', 'off']).optional(),
});

const fileSchema = z.looseObject({
  profiles: z.array(profileSchema),
  settings: z.looseObject({
    startAtLogin: z.boolean(),
    startHidden: z.boolean(),
    autoStartTunnels: z.boolean(),
  }),
  secretBindings: z.record(z.string(), z.string()).optional(),
});

/** The kind earlier versions gave tunnel profiles (an API key and a gateway). */
const LEGACY_TUNNEL_KIND = 'remote';

/**
 * Every change of shape since the first version, in one place, each a step from what an earlier
 * version saved to what this one reads: the kind 'remote' became 'tunnel'; `tls` (local TLS) was
 * added, on by default; settings a file lacks read as their defaults. Returns the file as this
 * version saves it, and whether anything changed (then it is written back, once).
 */
export function migrateProfilesFile(raw: Record<string, unknown>): {
  file: Record<string, unknown>;
  changed: boolean;
} {
  let changed = false;
  const stored = raw['profiles'] ?? [];
  const profiles = Array.isArray(stored)
    ? stored.map((profile: unknown) => {
        if (!isObject(profile)) {
          return profile; // the schema names it
        }
        const migrated: Record<string, unknown> = { ...profile };
        if (migrated['kind'] === LEGACY_TUNNEL_KIND) {
          migrated['kind'] = 'tunnel';
          changed = true;
        }
        if (migrated['tls'] === undefined) {
          migrated['tls'] = DEFAULT_LOCAL_TLS;
          changed = true;
        }
        return migrated;
      })
    : stored;
  let settings = raw['settings'];
  if (settings === undefined || isObject(settings)) {
    const filled = { ...DEFAULT_SETTINGS, ...settings };
    changed ||= Object.keys(filled).length !== Object.keys(settings ?? {}).length;
    settings = filled;
  }
  return { file: { ...raw, profiles, settings }, changed };
}

/**
 * Reads profiles.json's content (as parsed JSON) through its migrations and its schema.
 *
 * @param source how to name the file in a sentence (its path).
 * @returns the profiles and settings, and whether the migrations changed the file.
 * @throws Error with a sentence naming the file and the first field that does not fit
 *   ("profiles[1].port must be at most 65535"); the caller keeps the file as it is.
 */
export function readProfilesFile(
  raw: unknown,
  source: string,
): { shape: StoreShape; migrated: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`The profiles file ${source} does not hold a JSON object.`);
  }
  const { file, changed } = migrateProfilesFile(raw as Record<string, unknown>);
  const result = fileSchema.safeParse(file, { error: configIssueWords });
  if (!result.success) {
    throw new Error(
      `The profiles file ${source} does not fit this version of PG Tunnel: ${configIssueSentence(result.error.issues[0]!)}.`,
    );
  }
  return { shape: result.data as unknown as StoreShape, migrated: changed };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
