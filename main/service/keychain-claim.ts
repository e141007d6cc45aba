import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretStore } from './secret-store.js';

/** The ledger of which program last wrote each keychain item, beside profiles.json (no secrets). */
export const KEYCHAIN_WRITERS_FILE = 'keychain-writers.json';

export interface ClaimOptions {
  /** The configuration directory, where the ledger lives. */
  configDir: string;
  /** This program's name in the ledger ('tray-app'). */
  program: string;
  /** Reports a claim that failed (the secret itself was read, and is returned all the same). */
  warn(message: string): void;
}

/**
 * macOS Keychain lets the program that made an item read it without asking; any other program
 * (the tray app reading what `pg-tunnel ui`, a Node process, saved) gets a prompt for the login
 * keychain's password on every read until the user picks "Always Allow" (atom/node-keytar#50).
 * This store saves again, as this program, each item it reads that it did not write itself, once:
 * the read that finds it prompts, later reads do not. The ledger says who wrote each item; it
 * holds account names only. Meant for the tray app on macOS: elsewhere no keychain asks.
 */
export function claimingSecretStore(store: SecretStore, options: ClaimOptions): SecretStore {
  const file = join(options.configDir, KEYCHAIN_WRITERS_FILE);
  const ledger = async (): Promise<Record<string, string>> => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    } catch {
      return {}; // none yet, or unreadable: every item counts as another program's
    }
  };
  const record = async (account: string, writer: string | undefined): Promise<void> => {
    const { [account]: _previous, ...others } = await ledger();
    const next = writer === undefined ? others : { ...others, [account]: writer };
    await writeFile(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  };
  return {
    async get(account) {
      const secret = await store.get(account);
      if (secret !== undefined && (await ledger())[account] !== options.program) {
        try {
          // Deleted first: saving over an item keeps its maker, and with it the prompts.
          await store.delete(account);
          await store.set(account, secret);
          await record(account, options.program);
        } catch (error) {
          await store.set(account, secret).catch(() => undefined); // never leave it deleted
          options.warn(
            `Could not save the secret of ${account} again as PG Tunnel: ${String(error)}`,
          );
        }
      }
      return secret;
    },
    async set(account, secret) {
      await store.set(account, secret);
      await record(account, options.program);
    },
    async delete(account) {
      const deleted = await store.delete(account);
      await record(account, undefined);
      return deleted;
    },
  };
}
