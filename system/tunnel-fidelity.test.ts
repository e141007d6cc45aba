import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from '../main/testing/child-process.js';
import { startDirectTunnelCli, startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { useCliStack } from '../main/testing/cli-stack.js';
import { LISTED_DATABASE, newApiKey } from '../main/testing/gateway.js';
import { psql } from '../main/testing/psql.js';
import { RawClient } from '../main/testing/raw-client.js';
import type { PostgresInfo } from '../main/testing/global-setup.js';
import {
  keyFor,
  openDirectTunnel,
  openTunnel,
  startInProcessGateway,
  startInProcessStack,
} from '../main/testing/in-process.js';
import { startPostgres, type PostgresServer } from '../main/testing/postgres.js';
import type { Frame } from '../main/pgwire/frame-reader.js';
import { encodeStartupMessage } from '../main/pgwire/startup.js';

/**
 * A client must not be able to tell the tunnel from the database, except where the API-key
 * contract makes it differ, and then it is told. Each case runs the same client through the
 * tunnel and straight against the test Postgres, and compares; the cases that are not about the
 * API key run through a direct tunnel (the engine logging in itself) too.
 */
const postgres = inject('postgres');
const stack = useCliStack();
const tunnels: RunningTunnel[] = [];
let directTunnel: RunningTunnel | undefined;

/** The local port of each route a session can take to the shared Postgres. */
const ROUTES: Array<[string, () => { host: string; port: number }]> = [
  ['through the gateway', () => stack.tunnel],
  ['through a direct tunnel', () => directTunnel!],
];

beforeAll(async () => {
  directTunnel = await startDirectTunnelCli(postgres.url);
  tunnels.push(directTunnel);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [
    LISTED_DATABASE,
  ]);
  if (!rowCount) {
    await admin.query(`create database ${LISTED_DATABASE}`);
  }
  await admin.end();
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.process.stop()));
});

async function tunnelWith(apiKey: string): Promise<RunningTunnel> {
  const tunnel = await startTunnelCli(stack.gateway.wsUrl, apiKey);
  tunnels.push(tunnel);
  return tunnel;
}

/** psql through a tunnel (the gateway's unless told), and the same psql straight to Postgres. */
function throughAndDirect(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  via: { host: string; port: number } = stack.tunnel,
) {
  return Promise.all([
    psql(via.host, via.port, args, env),
    psql(postgres.host, postgres.port, ['-U', postgres.user, ...args], {
      ...env,
      PGPASSWORD: postgres.password,
    }),
  ]);
}

/** The server's words in a psql connection failure: from "FATAL:" on. */
const fatalLine = (stderr: string): string | undefined => /FATAL: .*/.exec(stderr)?.[0];

describe.each(ROUTES)('startup parameters are passed on, %s', (_route, via) => {
  it('PGOPTIONS settings take effect, as direct', async () => {
    const args = [
      '-c',
      'show search_path',
      '-c',
      'show statement_timeout',
      '-c',
      'show default_transaction_isolation',
    ];
    const env = {
      PGOPTIONS:
        '-c search_path=app -c statement_timeout=1234 -c default_transaction_isolation=serializable',
    };
    const [through, direct] = await throughAndDirect(args, env, via());
    expect(through.stderr).toBe('');
    expect(through.stdout).toBe('app\n1234ms\nserializable\n');
    expect(through.stdout).toBe(direct.stdout);
  });

  it('node-postgres: options and statement_timeout (a startup parameter) in its config take effect, as direct', async () => {
    const settings = async (config: pg.ClientConfig): Promise<unknown> => {
      const client = new pg.Client({
        ...config,
        options: '-c search_path=app',
        statement_timeout: 4321,
        application_name: 'fidelity',
      });
      await client.connect();
      try {
        const { rows } = await client.query(
          "select current_setting('search_path') as path, current_setting('statement_timeout') as timeout, current_setting('application_name') as app",
        );
        return rows[0];
      } finally {
        await client.end();
      }
    };
    const through = await settings({
      host: via().host,
      port: via().port,
      user: 'someone',
      database: 'postgres',
    });
    const direct = await settings({ connectionString: postgres.url });
    expect(through).toEqual({ path: 'app', timeout: '4321ms', app: 'fidelity' });
    expect(through).toEqual(direct);
  });

  it.each([
    [
      'a bad value',
      '-c statement_timeout=banana',
      /FATAL: {2}invalid value for parameter "statement_timeout": "banana"/,
    ],
    [
      'an unknown setting',
      '-c no_such_setting=1',
      /FATAL: {2}unrecognized configuration parameter "no_such_setting"/,
    ],
  ])('%s in options: the error Postgres sends, as sent', async (_name, options, words) => {
    const [through, direct] = await throughAndDirect(
      ['-c', 'select 1'],
      { PGOPTIONS: options },
      via(),
    );
    expect(through.code).not.toBe(0);
    expect(fatalLine(through.stderr)).toMatch(words);
    expect(fatalLine(through.stderr)).toBe(fatalLine(direct.stderr));
  });
});

describe.each(ROUTES)('replication=database, %s', (_route, via) => {
  it('IDENTIFY_SYSTEM returns the system row, as direct', async () => {
    const args = ['-d', 'dbname=postgres replication=database', '-c', 'IDENTIFY_SYSTEM'];
    const [through, direct] = await throughAndDirect(args, {}, via());
    expect(through.stderr).toBe('');
    const [systemId, timeline, , database] = through.stdout.trim().split('|');
    expect(systemId).toMatch(/^\d{10,}$/);
    expect(database).toBe('postgres');
    const [directId, directTimeline] = direct.stdout.trim().split('|');
    expect([systemId, timeline]).toEqual([directId, directTimeline]);
  });
});

describe('replication=database', () => {
  it("a key whose role lacks REPLICATION: Postgres's own error, as sent", async () => {
    const role = 'tunnel_no_replication';
    const password = `pw-${process.pid}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(
      `drop role if exists ${role}; create role ${role} login password '${password}'`,
    );
    await admin.end();
    const apiKey = newApiKey();
    const upstream = `postgres://${role}:${password}@${postgres.host}:${postgres.port}/postgres?sslmode=disable`;
    const { gateway, gatewayUrl } = await startInProcessGateway([keyFor(apiKey, upstream)]);
    const { tunnel, host, port } = await openTunnel({ apiKey, gatewayUrl });
    try {
      const args = ['-d', 'dbname=postgres replication=database', '-c', 'IDENTIFY_SYSTEM'];
      const through = await psql(host, port, args);
      const direct = await psql(postgres.host, postgres.port, ['-U', role, ...args], {
        PGPASSWORD: password,
      });
      // Postgres 15 says "must be superuser or replication role…", 18 "permission denied to start WAL sender".
      expect(fatalLine(through.stderr)).toMatch(/replication|WAL sender/);
      expect(fatalLine(through.stderr)).toBe(fatalLine(direct.stderr));
    } finally {
      await tunnel.stop();
      await gateway.close();
    }
  });

  it('pg_recvlogical creates and drops a logical slot through the tunnel', async () => {
    const slot = `tunnel_slot_${process.pid}`;
    const recvlogical = (action: string[]) =>
      run(
        'pg_recvlogical',
        [
          '-h',
          stack.tunnel.host,
          '-p',
          String(stack.tunnel.port),
          '-U',
          'anything',
          '-d',
          'postgres',
          '--slot',
          slot,
          ...action,
        ],
        { PGSSLMODE: undefined, PGPASSWORD: undefined },
      );
    const slots = async (): Promise<string> =>
      (
        await psql(stack.tunnel.host, stack.tunnel.port, [
          '-c',
          `select slot_name || ':' || plugin from pg_replication_slots where slot_name = '${slot}'`,
        ])
      ).stdout.trim();
    const created = await recvlogical(['--create-slot', '--plugin', 'test_decoding']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(await slots()).toBe(`${slot}:test_decoding`);
    const dropped = await recvlogical(['--drop-slot']);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(await slots()).toBe('');
  });
});

describe('the database a client names', () => {
  const currentDatabase = ['-c', 'select current_database()'];

  it('a database the key lists: that database, no notice', async () => {
    const tunnel = await tunnelWith(stack.gateway.keys.listedDatabases);
    const result = await psql(tunnel.host, tunnel.port, [
      '-d',
      LISTED_DATABASE,
      ...currentDatabase,
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(LISTED_DATABASE);
  });

  it("another name: the key's database, and a NOTICE saying which and why", async () => {
    const tunnel = await tunnelWith(stack.gateway.keys.listedDatabases);
    const result = await psql(tunnel.host, tunnel.port, ['-d', 'nosuchdb', ...currentDatabase]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(postgres.database);
    expect(result.stderr).toBe(
      `NOTICE:  database "nosuchdb" is not served by this API key; connected to "${postgres.database}" instead\n` +
        `DETAIL:  This API key serves "${postgres.database}", "${LISTED_DATABASE}".\n`,
    );
  });

  it('psql -U anything with its default database keeps working, with the notice', async () => {
    // An empty dbname is libpq's default: the user name, as Postgres defaults it too.
    const result = await psql(stack.tunnel.host, stack.tunnel.port, ['-d', '', ...currentDatabase]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(postgres.database);
    expect(result.stderr).toContain(
      `NOTICE:  database "anything" is not served by this API key; connected to "${postgres.database}" instead`,
    );
  });

  it('a key serving "*": any database that exists; one that does not fails as direct', async () => {
    const tunnel = await tunnelWith(stack.gateway.keys.anyDatabase);
    const listed = await psql(tunnel.host, tunnel.port, [
      '-d',
      LISTED_DATABASE,
      ...currentDatabase,
    ]);
    expect(listed.stdout.trim()).toBe(LISTED_DATABASE);
    const missing = await psql(tunnel.host, tunnel.port, ['-d', 'nosuchdb', ...currentDatabase]);
    const direct = await psql(
      postgres.host,
      postgres.port,
      ['-U', postgres.user, '-d', 'nosuchdb', ...currentDatabase],
      {
        PGPASSWORD: postgres.password,
      },
    );
    expect(fatalLine(missing.stderr)).toBe('FATAL:  database "nosuchdb" does not exist');
    expect(fatalLine(missing.stderr)).toBe(fatalLine(direct.stderr));
  });
});

/** Opens a raw connection with a StartupMessage of `version`; returns the frames up to `until`. */
async function openRaw(
  host: string,
  port: number,
  version: number,
  parameters: Record<string, string>,
  until: string,
) {
  const client = await RawClient.open(host, port);
  await client.send(encodeStartupMessage(parameters, version));
  return { client, frames: await client.untilFrame(until) };
}

const frameType = (letter: string): number => letter.charCodeAt(0);

/**
 * Against a Postgres 15 of its own (it negotiates 3.2 down to 3.0) and the shared test Postgres
 * (18: it takes 3.2 and hands out 32-byte cancel keys), through our gateway and tunnel, and
 * through a direct tunnel.
 */
describe.each([
  [15, 'gateway'],
  [18, 'gateway'],
  [15, 'direct'],
  [18, 'direct'],
] as const)('protocol versions, against Postgres %i, through the %s', (major, route) => {
  const V3_2 = (3 << 16) | 2;
  let own:
    | { server: PostgresServer; tunnel: { host: string; port: number; stop(): Promise<void> } }
    | undefined;

  beforeAll(async () => {
    if (major === 15) {
      const server = await startPostgres({ postgres15: true });
      if (route === 'gateway') {
        own = { server, tunnel: await startInProcessStack(server) };
      } else {
        const { tunnel, host, port } = await openDirectTunnel(server.url);
        own = { server, tunnel: { host, port, stop: () => tunnel.stop() } };
      }
    }
  });

  afterAll(async () => {
    await own?.tunnel.stop();
    await own?.server.stop();
  });

  const direct = (): PostgresInfo => own?.server ?? postgres;
  const tunnel = (): { host: string; port: number } =>
    own?.tunnel ?? (route === 'gateway' ? stack.tunnel : directTunnel!);

  it.each([
    ['3.2', {}],
    ['3.2 with a _pq_. option', { '_pq_.something': 'on' }],
  ])(
    'a %s startup: the client sees the negotiation Postgres sends, then the session works',
    async (_name, extra) => {
      const through = await openRaw(
        tunnel().host,
        tunnel().port,
        V3_2,
        { user: 'anything', database: 'postgres', ...extra },
        'Z',
      );
      // Direct, the negotiation comes before authentication: the first frames are enough.
      const straight = await openRaw(
        direct().host,
        direct().port,
        V3_2,
        { user: direct().user, database: 'postgres', ...extra },
        'R',
      );
      straight.client.socket.destroy();
      const negotiation = (frames: Frame[]) =>
        frames.filter((f) => f.type === frameType('v')).map((f) => f.raw.toString('hex'));
      expect(negotiation(through.frames)).toEqual(negotiation(straight.frames));
      const types = through.frames.map((f) => String.fromCharCode(f.type)).join('');
      expect(types).toMatch(/^v?R(S)+KZ$/);
      const keyData = through.frames.find((f) => f.type === frameType('K'))!;
      // Protocol 3.0 keys are 4 bytes; Postgres 18 gives 3.2 clients 32.
      expect(keyData.body.length - 4).toBe(major === 18 ? 32 : 4);

      await through.client.send(serialize.query('select 42'));
      const rows = (await through.client.untilFrame('C')).filter((f) => f.type === frameType('D'));
      expect(rows.map((f) => f.body.subarray(6).toString())).toEqual(['42']);
      through.client.socket.end(serialize.end());
    },
  );

  it('a 3.2 session is cancelled with the key it received', async () => {
    const { client, frames } = await openRaw(
      tunnel().host,
      tunnel().port,
      V3_2,
      { user: 'anything', database: 'postgres' },
      'Z',
    );
    const keyData = frames.find((f) => f.type === frameType('K'))!;
    await client.send(serialize.query('select pg_sleep(30)'));
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the query start
    const cancel = await RawClient.open(tunnel().host, tunnel().port);
    const header = Buffer.alloc(8);
    header.writeInt32BE(8 + keyData.body.length, 0);
    header.writeInt32BE((1234 << 16) | 5678, 4);
    await cancel.send(Buffer.concat([header, keyData.body])); // process id, then the key
    const after = await client.untilFrame('E', 10_000);
    const error = after.find((f) => f.type === frameType('E'))!;
    expect(error.body.toString('latin1')).toContain(
      'C57014\0Mcanceling statement due to user request',
    );
    client.socket.destroy();
  });
});
