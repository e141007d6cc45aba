import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../testing/child-process.js';
import { CLI_PATH, startCli } from '../testing/cli.js';
import { psql } from '../testing/psql.js';

describe('pg-tunnel playground', () => {
  it('starts a local Postgres behind a tunnel; psql works; its data survives a restart', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-playground-'));
    // Tests may run as root, and then Postgres runs as the user "postgres", which must reach the data.
    await chmod(configDir, 0o755);
    const first = startCli(['playground', '--config-dir', configDir]);
    try {
      const [, port] = await first.waitFor(/port:\s+(\d+)/, 60_000);
      const created = await psql('127.0.0.1', Number(port), [
        '-c',
        "create table notes (body text); insert into notes values ('kept')",
      ]);
      expect(created.stderr).toBe('');
      expect(await first.stop('SIGINT')).toBe(0);

      const second = startCli(['playground', '--config-dir', configDir]);
      try {
        const [, samePort] = await second.waitFor(/port:\s+(\d+)/, 60_000);
        expect(samePort).toBe(port); // the port is kept, so saved GUI connections keep working
        const read = await psql('127.0.0.1', Number(samePort), ['-c', 'select body from notes']);
        expect(read.stdout.trim()).toBe('kept');
      } finally {
        expect(await second.stop('SIGINT')).toBe(0);
      }
    } finally {
      await first.stop();
    }
  }, 120_000);

  it('without a keychain: one sentence that says how to get one, exit status 1', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-playground-'));
    const result = await run(
      process.execPath,
      [CLI_PATH, 'playground', '--config-dir', configDir],
      {
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^No OS keychain is available .*apt-get install gnome-keyring/);
    expect(result.stderr).not.toContain('    at ');
  });
});
