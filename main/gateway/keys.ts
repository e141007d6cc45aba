import { isDeepStrictEqual } from 'node:util';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyConfig } from './config.js';
import { ScramKeyCache } from '../pgwire/scram.js';
import { UpstreamSession } from '../upstream/upstream-session.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import { WarmLogins } from '../upstream/warm-logins.js';

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
  /**
   * Every login to the key's upstream goes through it, warm when it holds one (see WarmLogins;
   * it holds none when the key has no upstream or its warmLogins is 'off'). Stopped when a reload
   * removes or changes the key.
   */
  readyLogins: WarmLogins;
}

/** The most warm logins a key holds at once (the same cap as a direct tunnel's). */
const MAX_WARM_LOGINS_PER_KEY = 4;

/** Hears what a key's warm logins say (a pause, a release at idle), for the gateway's log. */
export type WarmLoginsSaid = (keyId: string, sentence: string) => void;

export class KeyRegistry {
  private readonly entries: Array<{ digest: Buffer; entry: KeyEntry }>;

  /**
   * `previous`: the registry this one replaces on a reload. A key configured exactly as before
   * keeps its entry (and the SCRAM keys derived for it); a new or changed one gets a fresh entry.
   */
  constructor(keys: KeyConfig[], previous?: KeyRegistry, said?: WarmLoginsSaid) {
    this.entries = keys.map((key) => {
      const kept = previous?.entries.find(({ entry }) => sameConfig(entry, key));
      return (
        kept ?? {
          digest: Buffer.from(key.keyHash.slice('sha256:'.length), 'hex'),
          entry: newEntry(key, said),
        }
      );
    });
    // A removed or changed key's warm logins would serve what it was: closed now.
    for (const { entry } of previous?.entries ?? []) {
      if (!this.includes(entry)) {
        void entry.readyLogins.stop();
      }
    }
  }

  /** Warm logins held now, every key's together. */
  warmLoginsHeld(): number {
    return this.entries.reduce((held, { entry }) => held + entry.readyLogins.held, 0);
  }

  /** Closes every key's warm logins (the gateway is closing); resolves when they are closed. */
  async stopWarmLogins(): Promise<void> {
    await Promise.all(this.entries.map(({ entry }) => entry.readyLogins.stop()));
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

function newEntry(key: KeyConfig, said?: WarmLoginsSaid): KeyEntry {
  const scramKeys = new ScramKeyCache();
  const upstream = key.upstream;
  const readyLogins = new WarmLogins({
    max: upstream && key.warmLogins !== 'off' ? MAX_WARM_LOGINS_PER_KEY : 0,
    // A key with no upstream is answered 410 at the upgrade: no session of it logs in.
    open: (request, signal) =>
      upstream
        ? UpstreamSession.open(upstream, request, scramKeys, signal)
        : Promise.reject(new UpstreamError({ kind: 'no-database' })),
    said: (sentence) => said?.(key.id, sentence),
  });
  return { ...key, scramKeys, readyLogins };
}

function sameConfig(entry: KeyEntry, key: KeyConfig): boolean {
  const { scramKeys: _derived, readyLogins: _held, ...config } = entry;
  return isDeepStrictEqual(config, key);
}
