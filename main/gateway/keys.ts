import { isDeepStrictEqual } from 'node:util';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyConfig } from './config.js';
import { ScramKeyCache } from '../pgwire/scram.js';

/** The form keys are stored in: never the key itself. */
export function hashApiKey(apiKey: string): string {
  return `sha256:${createHash('sha256').update(apiKey, 'utf8').digest('hex')}`;
}

/**
 * A configured key with what the gateway keeps for it while running. A session keeps the entry
 * it started with, whatever later reloads do to the key.
 */
export interface KeyEntry extends KeyConfig {
  /** SCRAM keys derived for this key's upstream role, reused by every later login. */
  scramKeys: ScramKeyCache;
}

export class KeyRegistry {
  private readonly entries: Array<{ digest: Buffer; entry: KeyEntry }>;

  /**
   * `previous`: the registry this one replaces on a reload. A key configured exactly as before
   * keeps its entry (and the SCRAM keys derived for it); a new or changed one gets a fresh entry.
   */
  constructor(keys: KeyConfig[], previous?: KeyRegistry) {
    this.entries = keys.map((key) => {
      const kept = previous?.entries.find(({ entry }) => sameConfig(entry, key));
      return (
        kept ?? {
          digest: Buffer.from(key.keyHash.slice('sha256:'.length), 'hex'),
          entry: { ...key, scramKeys: new ScramKeyCache() },
        }
      );
    });
  }

  /** Compares against every entry in constant time, so timing tells nothing about near misses. */
  find(apiKey: string): KeyEntry | undefined {
    const digest = createHash('sha256').update(apiKey, 'utf8').digest();
    let found: KeyEntry | undefined;
    for (const { digest: stored, entry } of this.entries) {
      if (timingSafeEqual(stored, digest)) {
        found = entry;
      }
    }
    return found;
  }

  /**
   * Whether `entry` is one of this registry's own: false for an entry of a key a reload removed
   * or changed (those get a fresh entry).
   */
  includes(entry: KeyEntry): boolean {
    return this.entries.some((held) => held.entry === entry);
  }

  /** Whether a key with this `sha256:` hash is configured. */
  hasHash(keyHash: string): boolean {
    return this.entries.some(({ entry }) => entry.keyHash === keyHash);
  }
}

function sameConfig(entry: KeyEntry, key: KeyConfig): boolean {
  const { scramKeys: _derived, ...config } = entry;
  return isDeepStrictEqual(config, key);
}
