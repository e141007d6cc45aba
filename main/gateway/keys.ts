import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyConfig } from './config.js';
import { ScramKeyCache } from '../pgwire/scram.js';

/** The form keys are stored in: never the key itself. */
export function hashApiKey(apiKey: string): string {
  return `sha256:${createHash('sha256').update(apiKey, 'utf8').digest('hex')}`;
}

/** A configured key with what the gateway keeps for it while running. */
export interface KeyEntry extends KeyConfig {
  openSessions: number;
  /** SCRAM keys derived for this key's upstream role, reused by every later login. */
  scramKeys: ScramKeyCache;
}

export class KeyRegistry {
  private readonly entries: Array<{ digest: Buffer; entry: KeyEntry }>;

  constructor(keys: KeyConfig[]) {
    this.entries = keys.map((key) => ({
      digest: Buffer.from(key.keyHash.slice('sha256:'.length), 'hex'),
      entry: { ...key, openSessions: 0, scramKeys: new ScramKeyCache() },
    }));
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
}
