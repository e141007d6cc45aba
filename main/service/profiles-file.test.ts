import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_TLS } from '../../shared/profile.js';
import { newConfigDir, savedProfile } from '../testing/app-core.js';
import { openConfig, ProfilesFileError, ProfileStore } from './profile-store.js';
import { DEFAULT_SETTINGS, migrateProfilesFile, readProfilesFile } from './profiles-file.js';

describe('profiles.json through its migrations and schema', () => {
  it('migrates what earlier versions saved: remote → tunnel, tls on by default, missing settings', () => {
    const { tls: _tls, ...old } = savedProfile('old', { kind: 'remote' as 'tunnel' });
    const { file, changed } = migrateProfilesFile({
      profiles: [old],
      settings: { startAtLogin: true },
    });
    expect(changed).toBe(true);
    expect(file).toEqual({
      profiles: [{ ...old, kind: 'tunnel', tls: DEFAULT_LOCAL_TLS }],
      settings: { ...DEFAULT_SETTINGS, startAtLogin: true },
    });
    expect(
      migrateProfilesFile({ profiles: [savedProfile('new')], settings: DEFAULT_SETTINGS }).changed,
    ).toBe(false);
  });

  it('keeps fields it does not know, so that an older version does not drop a newer one’s', () => {
    const profile = { ...savedProfile('new'), futureField: 'kept' };
    const { shape } = readProfilesFile(
      { profiles: [profile], settings: DEFAULT_SETTINGS, futureTop: 1 },
      'profiles.json',
    );
    expect(shape.profiles[0]).toEqual(profile);
  });

  it.each([
    [{ port: 70000 }, 'profiles[0].port must be at most 65535'],
    [{ kind: 'tunel' }, 'profiles[0].kind'],
    [{ autoStart: 'yes' }, 'profiles[0].autoStart must be true or false'],
    [{ id: undefined }, 'profiles[0].id is missing'],
  ])('names the field that does not fit (%o)', (change, words) => {
    expect(() =>
      readProfilesFile(
        { profiles: [{ ...savedProfile('p'), ...change }], settings: DEFAULT_SETTINGS },
        '/home/ada/.config/pg-tunnel/profiles.json',
      ),
    ).toThrow(
      `/home/ada/.config/pg-tunnel/profiles.json does not fit this version of PG Tunnel: ${words}`,
    );
  });

  it('a file that does not fit is refused with the sentence and kept byte for byte', async () => {
    const configDir = await newConfigDir();
    const path = join(configDir, 'profiles.json');
    const text = JSON.stringify({
      profiles: [{ ...savedProfile('p'), port: 'five' }],
      settings: DEFAULT_SETTINGS,
    });
    await writeFile(path, text);
    try {
      expect(() => new ProfileStore(openConfig(configDir))).toThrow(ProfilesFileError);
      expect(() => new ProfileStore(openConfig(configDir))).toThrow(
        /profiles\[0\]\.port must be a number.*keeps it as it is/,
      );
      expect(await readFile(path, 'utf8')).toBe(text);
    } finally {
      await rm(configDir, { recursive: true, force: true });
    }
  });
});
