import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { newConfigDir, savedProfile } from '../testing/app-core.js';
import { Credentials } from './credentials.js';
import { openConfig } from './profile-store.js';
import { SecretBindings, SecretDestinationChanged } from './secret-binding.js';
import { TEST_KEYCHAIN_SERVICE } from '../testing/app-core.js';
import { createSecretChoice } from './secret-choice.js';
import { createFileSecretStore } from './secret-file.js';
import { createKeychainSecretStore, type SecretStore } from './secret-store.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * Credentials over the real stores: the OS keychain (the test service) and the owner-only file,
 * which these tests choose, so that what is saved can be read back from disk.
 */
async function credentials(): Promise<{ file: SecretStore; creds: Credentials }> {
  const dir = await newConfigDir();
  dirs.push(dir);
  const file = createFileSecretStore(dir);
  const store = createSecretChoice(createKeychainSecretStore(TEST_KEYCHAIN_SERVICE), file);
  return { file, creds: new Credentials(store, new SecretBindings(openConfig(dir))) };
}
const inFile = { inFile: true };

describe('Credentials: a secret, where it may go, and its mask, in one place', () => {
  it('a saved key goes to its gateway, is masked, and is held back once the gateway changes', async () => {
    const { creds } = await credentials();
    const profile = savedProfile('t', { kind: 'tunnel', gatewayUrl: 'wss://a.example/websocket' });
    expect(creds.mask('t')).toBeNull();
    await creds.save('t', 'tunnel', 'key_0123456789abcdef', profile.gatewayUrl, inFile);
    expect(creds.mask('t')).toMatch(/cdef$/);
    expect(await creds.forDial(profile)).toBe('key_0123456789abcdef');
    const moved = { ...profile, gatewayUrl: 'wss://b.example/websocket' };
    await expect(creds.forDial(moved)).rejects.toBeInstanceOf(SecretDestinationChanged);
    expect(await creds.confirmDestination(moved)).toBe(true);
    expect(await creds.forDial(moved)).toBe('key_0123456789abcdef');
  });

  it('a copy keeps the binding; forgetting takes the secret, binding and mask away', async () => {
    const { file, creds } = await credentials();
    const profile = savedProfile('t', { kind: 'tunnel', gatewayUrl: 'wss://a.example/websocket' });
    await creds.save('t', 'tunnel', 'key_0123456789abcdef', profile.gatewayUrl, inFile);
    const copy = { ...profile, id: 'u', gatewayUrl: 'wss://b.example/websocket' };
    await creds.copy('t', copy);
    await expect(creds.forDial(copy)).rejects.toBeInstanceOf(SecretDestinationChanged);
    await creds.forget('t');
    expect(await file.get('t')).toBeUndefined();
    expect(creds.mask('t')).toBeNull();
    expect(await creds.forDial(profile)).toBeUndefined();
    expect(await creds.confirmDestination(profile)).toBe(false);
  });
});
