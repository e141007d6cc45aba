import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newConfigDir, TEST_KEYCHAIN_SERVICE } from '../testing/app-core.js';
import { secretToolLabel, secretToolStore } from '../testing/secret-tool.js';
import { claimingSecretStore, KEYCHAIN_WRITERS_FILE } from './keychain-claim.js';
import { createKeychainSecretStore } from './secret-store.js';

// The real OS keychain (scripts/with-keychain.sh gives Linux a Secret Service); secret-tool plays
// the other program that made the item, as `pg-tunnel ui` would on macOS.
const keychain = createKeychainSecretStore(TEST_KEYCHAIN_SERVICE);
const account = `claim-${randomUUID()}`;

afterAll(async () => {
  await keychain.delete(account);
});

describe('a secret another program saved', () => {
  it('is saved again by the app at its first read, once; the ledger holds no secret', async () => {
    await secretToolStore(TEST_KEYCHAIN_SERVICE, account, 'the-password');
    expect(await secretToolLabel(TEST_KEYCHAIN_SERVICE, account)).toBe(`test ${account}`);
    const configDir = await newConfigDir();
    const warnings: string[] = [];
    const store = claimingSecretStore(keychain, {
      configDir,
      program: 'tray-app',
      warn: (message) => warnings.push(message),
    });

    expect(await store.get(account)).toBe('the-password');
    const label = await secretToolLabel(TEST_KEYCHAIN_SERVICE, account);
    expect(label).not.toBe(`test ${account}`); // made again, by the keychain library
    const ledger = await readFile(join(configDir, KEYCHAIN_WRITERS_FILE), 'utf8');
    expect(JSON.parse(ledger)).toEqual({ [account]: 'tray-app' });
    expect(ledger).not.toContain('the-password');

    // The next read finds its own item and leaves it alone.
    await secretToolStore(TEST_KEYCHAIN_SERVICE, account, 'the-password');
    expect(await store.get(account)).toBe('the-password');
    expect(await secretToolLabel(TEST_KEYCHAIN_SERVICE, account)).toBe(`test ${account}`);
    expect(warnings).toEqual([]);
  });
});
