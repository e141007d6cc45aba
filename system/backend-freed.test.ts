import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Tunnel } from '../main/engine/tunnel.js';
import { openDirectTunnel, startInProcessStack } from '../main/testing/in-process.js';
import { RawClient } from '../main/testing/raw-client.js';
import { until } from '../main/testing/until.js';

/**
 * A session that ends from the client's side while its backend is blocked writing a result (the
 * client stopped reading it) must free that backend at once, as Postgres does for a client that
 * dies: no backend left `active` in ClientWrite, holding its locks, for as long as the tunnel
 * runs. Real Postgres, real tunnels (direct, and through the gateway), a raw client.
 */
const postgres = inject('postgres');
/** A result far larger than every buffer between the backend and the client (about 5 GB). */
const endlessResult = (table: string): string =>
  `select g, repeat('x', 500) from ${table}, generate_series(1, 10000000) g`;
/** How long a freed backend may take to leave pg_stat_activity on a busy machine. */
const FREED_WITHIN_MS = 10_000;

let owner: pg.Client;

beforeAll(async () => {
  owner = new pg.Client({ connectionString: postgres.url });
  await owner.connect();
});

afterAll(async () => {
  await owner?.end();
});

interface OpenTunnel {
  tunnel: Tunnel;
  host: string;
  port: number;
  stop(): Promise<void>;
}

const FAR_SIDES: [string, () => Promise<OpenTunnel>][] = [
  [
    'a direct tunnel',
    async () => {
      const opened = await openDirectTunnel(postgres.url);
      return { ...opened, stop: () => opened.tunnel.stop('kill') };
    },
  ],
  ['a gateway tunnel', () => startInProcessStack(postgres)],
];

/** The ways a session ends from the client's side of the tunnel. */
const ENDINGS: [string, (client: RawClient, tunnel: Tunnel) => Promise<void> | void][] = [
  [
    'its client dies (its socket destroyed, the result unread)',
    (client) => client.socket.destroy(),
  ],
  [
    'the session is killed from PG Tunnel',
    (_client, tunnel) => {
      expect(tunnel.killSession(tunnel.sessions()[0]!.id)).toBe(true);
    },
  ],
  ['the tunnel stops', (_client, tunnel) => void tunnel.stop('kill')],
];

describe.each(FAR_SIDES)('through %s', (_name, open) => {
  it.each(ENDINGS)(
    'the backend blocked writing a result ends when %s, and its lock is free',
    async (_ending, end) => {
      const opened = await open();
      const applicationName = `freed_${Math.random().toString(36).slice(2)}`;
      // A table of its own, read by the query: the lock the backend holds while it runs.
      const table = applicationName;
      await owner.query(`create table ${table} as select 1 as one`);
      const client = await RawClient.open(opened.host, opened.port);
      try {
        await client.send(
          serialize.startup({
            user: 'anyone',
            database: postgres.database,
            application_name: applicationName,
          }),
        );
        await client.untilFrame('Z');
        client.socket.pause();
        await client.send(serialize.query(endlessResult(table)));
        const [blocked] = await until(
          async () => {
            const pids = await backendsOf(applicationName, 'ClientWrite');
            return pids.length > 0 ? pids : undefined;
          },
          'the backend to block writing the result',
          FREED_WITHIN_MS,
        );

        await end(client, opened.tunnel);

        // That backend: a direct tunnel may hold a warm login of the same application_name,
        // idle and ready for the next client, which is not this one.
        await until(
          async () => ((await backendsOf(applicationName)).includes(blocked!) ? undefined : true),
          'the backend to end',
          FREED_WITHIN_MS,
        );
        await expect(
          owner.query(`begin; lock table ${table} in access exclusive mode nowait; commit`),
        ).resolves.toBeDefined();
      } finally {
        client.socket.destroy();
        await opened.stop();
        await owner.query(`drop table ${table}`);
      }
    },
    60_000,
  );
});

/** The pids of `applicationName`'s backends (waiting on `waitEvent`, when given), as pg_stat_activity shows. */
async function backendsOf(applicationName: string, waitEvent?: string): Promise<number[]> {
  const { rows } = await owner.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1 and ($2::text is null or wait_event = $2)',
    [applicationName, waitEvent ?? null],
  );
  return rows.map((row) => row.pid);
}
