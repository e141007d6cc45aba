import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tunnel } from '../main/engine/index.js';
import { run, start } from '../main/testing/child-process.js';
import { CLI_PATH, startDirectTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { openDirectTunnel } from '../main/testing/in-process.js';
import { startPostgres, type PostgresServer } from '../main/testing/postgres.js';
import { psql } from '../main/testing/psql.js';
import { until } from '../main/testing/until.js';

/**
 * Warm logins of a direct tunnel against a real Postgres (scram-sha-256): a client whose
 * StartupMessage is the same as a recent client's gets a backend logged in ahead of need, and can
 * tell it from a cold login by nothing — not SHOW ALL, not its ParameterStatus set, not RESET,
 * not pg_settings.source — while cancel works, each client gets its own backend, and the warm
 * ones are gone once no client has come for the idle time.
 */
let server: PostgresServer;
const tunnels: Tunnel[] = [];
const processes: RunningTunnel[] = [];

beforeAll(async () => {
  server = await startPostgres();
}, 120_000);

afterAll(async () => {
  await Promise.all(tunnels.map((tunnel) => tunnel.stop()));
  await Promise.all(processes.map((cli) => cli.process.stop()));
  await server?.stop();
});

async function directTunnel(
  options: { maxWarmLogins?: number; warmLoginIdleMs?: number } = {},
  url = server.url,
): Promise<{ tunnel: Tunnel; host: string; port: number }> {
  const opened = await openDirectTunnel(url, 'Warm test', options);
  tunnels.push(opened.tunnel);
  return opened;
}

/** Straight to Postgres, as its owner: to look at what the server sees. */
async function onServer<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The client backends of `applicationName` on the server (the warm ones included). */
async function backendsOf(applicationName: string): Promise<number> {
  const [row] = await onServer<{ n: string }>(
    "select count(*) as n from pg_stat_activity where backend_type = 'client backend' and application_name = $1",
    [applicationName],
  );
  return Number(row!.n);
}

const heldBy = (tunnel: Tunnel, atLeast = 1): Promise<number> =>
  until(
    () => {
      const held = tunnel.warmLogins()?.held ?? 0;
      return held >= atLeast ? held : undefined;
    },
    `${atLeast} warm login(s) held`,
    10_000,
  );

/** psql as a user runs it, `commands` each a -c, with libpq's environment: PGAPPNAME, PGOPTIONS. */
function psqlThrough(
  { host, port }: { host: string; port: number },
  commands: string[],
  env: NodeJS.ProcessEnv,
) {
  return psql(
    host,
    port,
    commands.flatMap((command) => ['-c', command]),
    env,
  );
}

const PSQL_ENV = {
  PGAPPNAME: 'warm-fidelity',
  PGOPTIONS: '-c search_path=audit,public -c statement_timeout=4321 -c work_mem=7MB',
};
/** What a client can see of its session's settings, before and after RESET ALL. */
const SEEN = [
  'show all',
  "select name, setting, source from pg_settings where source not in ('default', 'override') order by name",
  'reset all',
  'show application_name',
  'show search_path',
  "select name, setting, source from pg_settings where source not in ('default', 'override') order by name",
];
const WHEN_BACKEND_STARTED =
  'select (extract(epoch from backend_start) * 1000)::bigint from pg_stat_activity where pid = pg_backend_pid()';

describe('warm logins of a direct tunnel', () => {
  it('psql sees through a warm login exactly what it sees through a cold one, RESET ALL and pg_settings.source included', async () => {
    const cold = await directTunnel({ maxWarmLogins: 0 });
    const warm = await directTunnel();
    const throughCold = await psqlThrough(cold, SEEN, PSQL_ENV);
    expect(throughCold.stderr).toBe('');
    expect(throughCold.stdout).toContain('warm-fidelity');
    expect(throughCold.stdout).toContain('audit,public');
    expect(throughCold.stdout).toMatch(/statement_timeout\|4321\|client/);
    expect(cold.tunnel.warmLogins()).toEqual({ held: 0, max: 0 });

    // The first client teaches the tunnel its StartupMessage; the next gets a warm login.
    expect((await psqlThrough(warm, ['select 1'], PSQL_ENV)).code).toBe(0);
    await heldBy(warm.tunnel);
    const startedAt = Date.now();
    const throughWarm = await psqlThrough(warm, [...SEEN, WHEN_BACKEND_STARTED], PSQL_ENV);
    expect(throughWarm.stderr).toBe('');
    const lines = throughWarm.stdout.trimEnd().split('\n');
    const backendStart = Number(lines.pop());
    // Logged in before this psql started: a warm login, not its own.
    expect(backendStart).toBeLessThan(startedAt);
    expect(lines.join('\n') + '\n').toBe(throughCold.stdout);
  }, 60_000);

  it('node-postgres gets the same ParameterStatus set and a real BackendKeyData through a warm login', async () => {
    const cold = await directTunnel({ maxWarmLogins: 0 });
    const warm = await directTunnel();
    const open = async ({ host, port }: { host: string; port: number }) => {
      const client = new pg.Client({
        host,
        port,
        user: server.user,
        database: server.database,
        application_name: 'warm-pg',
      });
      const statuses: string[] = [];
      const keys: number[] = [];
      client.connection.on(
        'parameterStatus',
        (m: { parameterName: string; parameterValue: string }) =>
          statuses.push(`${m.parameterName}=${m.parameterValue}`),
      );
      client.connection.on('backendKeyData', (m: { processID: number }) => keys.push(m.processID));
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      await client.end();
      return { statuses: statuses.sort(), keyPid: keys[0], pid: rows[0]!.pid };
    };
    const throughCold = await open(cold);
    await open(warm);
    await heldBy(warm.tunnel);
    const throughWarm = await open(warm);
    expect(throughWarm.statuses).toEqual(throughCold.statuses);
    expect(throughWarm.statuses).toContain('application_name=warm-pg');
    expect(throughWarm.keyPid).toBe(throughWarm.pid);
  }, 60_000);

  it('two clients one after the other get different backends, and Ctrl-C cancels a query on a warm one', async () => {
    const warm = await directTunnel();
    const env = { PGAPPNAME: 'warm-cancel' };
    const pids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await psqlThrough(warm, ['select pg_backend_pid()'], env);
      expect(result.stderr).toBe('');
      pids.push(result.stdout.trim());
      await heldBy(warm.tunnel);
    }
    expect(new Set(pids).size).toBe(3);

    const startedAt = Date.now();
    const sleeping = start(
      'psql',
      [
        '-h',
        warm.host,
        '-p',
        String(warm.port),
        // The StartupMessage of psqlThrough's runs above (user, database, PGAPPNAME): a warm one.
        '-U',
        'anything',
        '-d',
        'postgres',
        '-X',
        '-c',
        'select pg_sleep(30)',
      ],
      { PGSSLMODE: undefined, PGPASSWORD: undefined, ...env },
    );
    const [running] = await until(
      async () => {
        const rows = await onServer<{ started: string }>(
          "select (extract(epoch from backend_start) * 1000)::bigint as started from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'",
        );
        return rows.length === 1 ? rows : undefined;
      },
      'the database to run pg_sleep(30)',
      15_000,
    );
    expect(Number(running!.started)).toBeLessThan(startedAt);
    sleeping.child.kill('SIGINT');
    expect(await sleeping.exited).not.toBe(0);
    expect(sleeping.stderr).toContain('canceling statement due to user request');
  }, 60_000);

  it('a GUI opening three connections at once finds three warm ones the next time, and never more than four are held', async () => {
    const warm = await directTunnel();
    const openThree = () =>
      Promise.all(
        [1, 2, 3].map(async () => {
          const client = new pg.Client({
            host: warm.host,
            port: warm.port,
            user: server.user,
            database: server.database,
            application_name: 'warm-gui',
          });
          await client.connect();
          const { rows } = await client.query<{ started: string }>(
            `select (extract(epoch from backend_start) * 1000)::bigint as started from pg_stat_activity where pid = pg_backend_pid()`,
          );
          await client.end();
          return Number(rows[0]!.started);
        }),
      );
    await openThree();
    expect(await heldBy(warm.tunnel, 3)).toBe(3);
    const startedAt = Date.now();
    for (const backendStart of await openThree()) {
      expect(backendStart).toBeLessThan(startedAt);
    }
    for (let i = 0; i < 3; i++) {
      await openThree();
    }
    await heldBy(warm.tunnel, 3);
    expect(warm.tunnel.warmLogins()!.held).toBeLessThanOrEqual(4);
    expect(await backendsOf('warm-gui')).toBeLessThanOrEqual(4);
  }, 60_000);

  it('the shape in use now gets warm logins even when an earlier burst of another filled the cap', async () => {
    const warm = await directTunnel();
    const openAs = (applicationName: string, count: number) =>
      Promise.all(
        Array.from({ length: count }, async () => {
          const client = new pg.Client({
            host: warm.host,
            port: warm.port,
            user: server.user,
            database: server.database,
            application_name: applicationName,
          });
          await client.connect();
          await client.end();
        }),
      );
    await openAs('earlier-tool', 4);
    await until(
      async () => ((await backendsOf('earlier-tool')) === 4 ? true : undefined),
      'four warm logins of the earlier tool',
      10_000,
    );
    const now = { PGAPPNAME: 'tool-in-use' };
    expect((await psqlThrough(warm, ['select 1'], now)).code).toBe(0);
    await until(
      async () => ((await backendsOf('tool-in-use')) >= 1 ? true : undefined),
      'a warm login of the tool in use',
      10_000,
    );
    expect(await backendsOf('earlier-tool')).toBeLessThanOrEqual(3);
    expect(warm.tunnel.warmLogins()!.held).toBeLessThanOrEqual(4);
    const startedAt = Date.now();
    const second = await psqlThrough(warm, [WHEN_BACKEND_STARTED], now);
    expect(Number(second.stdout.trim())).toBeLessThan(startedAt);
  }, 60_000);

  it('holds nothing before a client comes, and nothing once no client came for the idle time', async () => {
    const warm = await directTunnel({ warmLoginIdleMs: 2_000 });
    const env = { PGAPPNAME: 'warm-idle' };
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(warm.tunnel.warmLogins()).toEqual({ held: 0, max: 4 });
    expect(await backendsOf('warm-idle')).toBe(0);
    expect((await psqlThrough(warm, ['select 1'], env)).code).toBe(0);
    await heldBy(warm.tunnel);
    expect(await backendsOf('warm-idle')).toBeGreaterThanOrEqual(1);
    const notes: string[] = [];
    warm.tunnel.on('far-side-note', (note) => notes.push(note));
    await until(
      async () => ((await backendsOf('warm-idle')) === 0 ? true : undefined),
      'no backend of warm-idle',
      10_000,
    );
    expect(warm.tunnel.warmLogins()?.held).toBe(0);
    expect(notes.join('\n')).toMatch(/Released \d warm logins?: no client for 2 s\./);
  }, 60_000);

  it('a warm login the server ended while held is dropped: the next client logs in as usual', async () => {
    const warm = await directTunnel();
    const env = { PGAPPNAME: 'warm-terminated' };
    expect((await psqlThrough(warm, ['select 1'], env)).code).toBe(0);
    await heldBy(warm.tunnel);
    await until(
      async () => ((await backendsOf('warm-terminated')) >= 1 ? true : undefined),
      'the warm backend',
    );
    await onServer(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'warm-terminated'",
    );
    await until(
      () => (warm.tunnel.warmLogins()?.held === 0 ? true : undefined),
      'the terminated login dropped',
    );
    const next = await psqlThrough(warm, ['select 42'], env);
    expect(next.stderr).toBe('');
    expect(next.stdout.trim()).toBe('42');
  }, 60_000);

  it("a role's connection limit pauses the warm logins and says so; clients still get in", async () => {
    await onServer("create role limited login password 'limited-pw' connection limit 1");
    const url = `postgres://limited:limited-pw@${server.host}:${server.port}/${server.database}?sslmode=disable`;
    const warm = await directTunnel({}, url);
    const notes: string[] = [];
    warm.tunnel.on('far-side-note', (note) => notes.push(note));
    const asLimited = () =>
      new pg.Client({
        host: warm.host,
        port: warm.port,
        user: 'limited',
        database: server.database,
      });
    const holder = asLimited();
    await holder.connect();
    const paused = await until(() => warm.tunnel.warmLogins()?.paused, 'the pause', 10_000);
    expect(paused.reason).toContain('too many connections for role "limited"');
    expect(notes.join('\n')).toContain(
      'Warm logins paused for 5 min: the database refused a login for its connection limit',
    );
    await holder.end();
    await until(
      async () =>
        (await onServer("select 1 from pg_stat_activity where usename = 'limited'")).length === 0
          ? true
          : undefined,
      'the holder gone',
    );
    const client = asLimited();
    await client.connect();
    expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await client.end();
    expect(warm.tunnel.warmLogins()?.held).toBe(0);
  }, 60_000);

  it('pg-tunnel --warm-logins off holds none; adaptive (the default) holds one after a client; anything else is refused', async () => {
    const off = await startDirectTunnelCli(server.url, {}, ['--warm-logins', 'off']);
    const adaptive = await startDirectTunnelCli(server.url);
    processes.push(off, adaptive);
    expect((await psqlThrough(off, ['select 1'], { PGAPPNAME: 'cli-warm-off' })).code).toBe(0);
    expect((await psqlThrough(adaptive, ['select 1'], { PGAPPNAME: 'cli-warm-on' })).code).toBe(0);
    await until(
      async () => ((await backendsOf('cli-warm-on')) === 1 ? true : undefined),
      'a warm login of the CLI',
      10_000,
    );
    expect(await backendsOf('cli-warm-off')).toBe(0);

    const refused = await run('node', [CLI_PATH, '--warm-logins', 'sometimes'], {
      DATABASE_URL: server.url,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--warm-logins takes adaptive or off (got sometimes).');
  }, 60_000);
});
