import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTestCore,
  newConfigDir,
  savedProfile,
  saveProfiles,
  TEST_KEYCHAIN_SERVICE,
} from '../../testing/app-core.js';
import { directoryDigest } from '../../testing/files.js';
import { createPostgres15Database } from '../../testing/postgres-15.js';
import { psql } from '../../testing/psql.js';
import { createKeychainSecretStore } from '../secret-store.js';

const keychain = createKeychainSecretStore(TEST_KEYCHAIN_SERVICE);
const profileId = randomUUID();

afterAll(async () => {
  await keychain.delete('playground-postgres');
  await keychain.delete(profileId);
});

describe('the playground of an earlier version', () => {
  it('its secrets move from the keychain to the credentials file and leave the keychain; its Postgres 15 database is kept, and its card and log say where', async () => {
    const configDir = await newConfigDir();
    const old = join(configDir, 'playground', 'postgres');
    await mkdir(join(configDir, 'playground'));
    await createPostgres15Database(old, 'its-old-password', 'create table notes (body text)');
    const before = await directoryDigest(old);
    // What an earlier version left: the profile, and both secrets in the keychain.
    await saveProfiles(configDir, [savedProfile(profileId)]);
    await keychain.set('playground-postgres', 'its-old-password');
    await keychain.set(profileId, 'playground_its-old-key');

    const { core } = await createTestCore(configDir);
    try {
      const state = await core.commands.startTunnel(profileId);
      expect(state.status).toBe('listening');
      expect(await psql('127.0.0.1', state.port!, ['-c', 'select 1 + 1'])).toMatchObject({
        code: 0,
        stdout: '2\n',
      });

      const credentials = JSON.parse(
        await readFile(join(configDir, 'playground', 'credentials.json'), 'utf8'),
      ) as { apiKey: string; passwords: Record<string, string> };
      expect(credentials.apiKey).toBe('playground_its-old-key');
      expect(credentials.passwords['postgres']).toBe('its-old-password');
      expect(await keychain.get('playground-postgres')).toBeUndefined();
      expect(await keychain.get(profileId)).toBeUndefined();

      const kept = `Your earlier playground database is kept, untouched, in ${old}`;
      expect(state.problem).toEqual({ message: expect.stringContaining(kept), fix: 'none' });
      const log = await core.commands.getLog(profileId);
      expect(log.some((entry) => entry.message.includes(kept))).toBe(true);
      expect(await directoryDigest(old)).toBe(before);
    } finally {
      await core.dispose();
    }
  }, 180_000);
});
