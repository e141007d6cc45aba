import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../testing/child-process.js';
import { secretToolLookup, secretToolStore } from '../testing/secret-tool.js';
import { createKeychainSecretStore, KeychainUnavailableError } from './secret-store.js';

// These tests use the real OS keychain. On Linux, `npm test` runs them through
// scripts/with-keychain.sh, which provides a Secret Service (gnome-keyring) when there is none.

const SERVICE = 'pg-tunnel';
const store = createKeychainSecretStore();
const runId = randomUUID();
const accounts = new Set<string>();
const onLinux = process.platform === 'linux';

/** A profile id of this run only, removed from the keychain at the end. */
function account(name: string): string {
  const id = `test-${runId}-${name}`;
  accounts.add(id);
  return id;
}

afterAll(async () => {
  for (const id of accounts) {
    await store.delete(id);
  }
});

/** The kernel keyutils descriptions visible to us: where an unpinned keyring-rs would fall back. */
async function kernelKeyDescriptions(): Promise<string> {
  try {
    return await readFile('/proc/keys', 'utf8');
  } catch {
    return '';
  }
}

describe('keychain secret store', () => {
  it('returns what was set, and another Secret Service client reads the same secret', async () => {
    const id = account('roundtrip');
    const secret = `pdp-key-${randomUUID()}`;
    await store.set(id, secret);
    expect(await store.get(id)).toBe(secret);
    if (onLinux) {
      // In the Secret Service for real, not in this process and not in the kernel keyring.
      expect(await secretToolLookup(SERVICE, id)).toBe(secret);
      expect(await kernelKeyDescriptions()).not.toContain(id);
    }
  });

  it.runIf(onLinux)('reads a secret that another Secret Service client saved', async () => {
    const id = account('saved-by-secret-tool');
    await secretToolStore(SERVICE, id, 'saved elsewhere');
    expect(await store.get(id)).toBe('saved elsewhere');
  });

  it('overwrites on a second set', async () => {
    const id = account('overwrite');
    await store.set(id, 'first');
    await store.set(id, 'second');
    expect(await store.get(id)).toBe('second');
    if (onLinux) {
      expect(await secretToolLookup(SERVICE, id)).toBe('second');
    }
  });

  it('deletes: get is then undefined, and a second delete returns false', async () => {
    const id = account('delete');
    await store.set(id, 'to be deleted');
    expect(await store.delete(id)).toBe(true);
    expect(await store.get(id)).toBeUndefined();
    expect(await store.delete(id)).toBe(false);
    if (onLinux) {
      expect(await secretToolLookup(SERVICE, id)).toBeUndefined();
    }
  });

  it('returns undefined for an account never set', async () => {
    expect(await store.get(account('never-set'))).toBeUndefined();
  });

  it('keeps many accounts apart', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => account(`many-${i}`));
    await Promise.all(ids.map((id, i) => store.set(id, `secret number ${i}`)));
    expect(await Promise.all(ids.map((id) => store.get(id)))).toEqual(
      ids.map((_, i) => `secret number ${i}`),
    );
    expect(await store.delete(ids[3]!)).toBe(true);
    await store.set(ids[5]!, 'changed');
    expect(await Promise.all(ids.map((id) => store.get(id)))).toEqual(
      ids.map((_, i) => (i === 3 ? undefined : i === 5 ? 'changed' : `secret number ${i}`)),
    );
  });

  it('keeps other services apart', async () => {
    const id = account('other-service');
    const other = createKeychainSecretStore(`pg-tunnel-test-${runId}`);
    try {
      await store.set(id, 'ours');
      await other.set(id, 'theirs');
      expect(await store.get(id)).toBe('ours');
      expect(await other.get(id)).toBe('theirs');
    } finally {
      await other.delete(id);
    }
  });

  it('round-trips unicode secrets', async () => {
    const id = account('unicode');
    const secret = 'pässwörd — 密码 🔑🐘 עברית \u0000 end';
    await store.set(id, secret);
    expect(await store.get(id)).toBe(secret);
    if (onLinux) {
      expect(await secretToolLookup(SERVICE, id)).toBe(secret);
    }
  });
});

const BUILT_STORE = new URL('../../dist/main/service/secret-store.js', import.meta.url).href;

interface ChildResult {
  op: string;
  resolved?: unknown;
  name?: string;
  message?: string;
  isUnavailable?: boolean;
  /** Messages and stacks of the error and its causes. */
  text?: string;
}

/** Runs get, set and delete in a child process with `env`; prints what each rejected with. */
async function callsInChild(
  id: string,
  secret: string,
  env: NodeJS.ProcessEnv,
  wrap: string[] = [],
): Promise<ChildResult[]> {
  const script = `
    const { createKeychainSecretStore, KeychainUnavailableError } = await import(process.argv[1]);
    const [id, secret] = process.argv.slice(2);
    const store = createKeychainSecretStore();
    const calls = { get: () => store.get(id), set: () => store.set(id, secret), delete: () => store.delete(id) };
    const results = [];
    for (const [op, call] of Object.entries(calls)) {
      try {
        results.push({ op, resolved: await call() ?? null });
      } catch (error) {
        const causes = [];
        for (let e = error; e; e = e.cause) causes.push(String(e.message) + String(e.stack));
        results.push({ op, name: error.name, message: error.message,
          isUnavailable: error instanceof KeychainUnavailableError, text: causes.join('\\n') });
      }
    }
    console.log(JSON.stringify(results));
  `;
  const node = [process.execPath, '--input-type=module', '-e', script, BUILT_STORE, id, secret];
  const [command, ...args] = [...wrap, ...node] as [string, ...string[]];
  const { code, stdout, stderr } = await run(command, args, env, { timeoutMs: 30_000 });
  expect(code, stderr).toBe(0);
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe.runIf(onLinux)('keychain secret store without a keychain', () => {
  const secret = `never-in-a-message-${randomUUID()}`;

  it('rejects every call with a sentence when D-Bus points at nothing', async () => {
    const id = account('no-bus');
    const results = await callsInChild(id, secret, {
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(tmpdir(), `no-bus-${runId}`)}`,
    });
    expect(results.map((r) => r.op)).toEqual(['get', 'set', 'delete']);
    for (const result of results) {
      expect(result).toMatchObject({ name: 'KeychainUnavailableError', isUnavailable: true });
      const message = result.message ?? '';
      expect(message).toMatch(/^No OS keychain is available because there is no D-Bus session bus/);
      expect(message).toContain('apt-get install gnome-keyring');
      expect(message).toContain('KeePassXC');
      expect(message).toMatch(/^[^\n]+\.$/);
      expect(result.text).not.toContain(secret);
    }
    // Pinned to the Secret Service: nothing fell back to the in-memory kernel keyring.
    expect(await kernelKeyDescriptions()).not.toContain(id);
  });

  it('rejects with a sentence when DBUS_SESSION_BUS_ADDRESS is unset', async () => {
    const results = await callsInChild(account('unset-bus'), secret, {
      DBUS_SESSION_BUS_ADDRESS: undefined,
    });
    for (const result of results) {
      expect(result).toMatchObject({ name: 'KeychainUnavailableError', isUnavailable: true });
      expect(result.message).toMatch(/no D-Bus session bus .*apt-get install gnome-keyring/);
      expect(result.text).not.toContain(secret);
    }
  });

  it('rejects with a sentence when the session bus has no Secret Service', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-bus-'));
    try {
      // A session bus that can start no service at all, so nothing provides org.freedesktop.secrets.
      const config = join(dir, 'session.conf');
      await writeFile(
        config,
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/>
  </policy>
</busconfig>
`,
      );
      const results = await callsInChild(account('no-service'), secret, {}, [
        'dbus-run-session',
        `--config-file=${config}`,
        '--',
      ]);
      for (const result of results) {
        expect(result).toMatchObject({ name: 'KeychainUnavailableError', isUnavailable: true });
        expect(result.message).toMatch(
          /^No OS keychain is available because nothing provides the Secret Service .*apt-get install gnome-keyring.*\.$/,
        );
        expect(result.text).not.toContain(secret);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects with a sentence when the keyring is locked and cannot be unlocked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-locked-'));
    try {
      const id = account('locked');
      // gnome-keyring keeps its keyrings in XDG_DATA_HOME; with no display, no unlock prompt can show.
      const env = {
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_RUNTIME_DIR: join(dir, 'run'),
        DISPLAY: undefined,
        WAYLAND_DISPLAY: undefined,
      };
      await mkdir(env.XDG_DATA_HOME, { mode: 0o700 });
      await mkdir(env.XDG_RUNTIME_DIR, { mode: 0o700 });
      // First session: a keyring with a password, unlocked, holding an entry.
      const created = await run(
        'dbus-run-session',
        [
          '--',
          'sh',
          '-c',
          `printf pw | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null
           until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
             org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q true; do sleep 0.1; done
           printf old | secret-tool store --label locked service ${SERVICE} username "$1"`,
          'sh',
          id,
        ],
        env,
        { timeoutMs: 30_000 },
      );
      expect(created.code, created.stderr).toBe(0);
      // Second session: D-Bus starts the daemon on demand, and the keyring stays locked.
      const results = await callsInChild(id, secret, env, ['dbus-run-session', '--']);
      for (const result of results) {
        expect(result).toMatchObject({ name: 'KeychainUnavailableError', isUnavailable: true });
        expect(result.message).toMatch(/^The OS keychain is locked and could not be unlocked.*\.$/);
        expect(result.text).not.toContain(secret);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('KeychainUnavailableError', () => {
  it('is an Error with its own name', () => {
    const error = new KeychainUnavailableError('No OS keychain is available.');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('KeychainUnavailableError');
  });
});
