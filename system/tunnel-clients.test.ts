import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningProcess } from '../main/testing/child-process.js';
import { useCliStack } from '../main/testing/cli-stack.js';
import { psql } from '../main/testing/psql.js';
import { startReferenceTunnel } from '../main/testing/reference-tunnel.js';

const postgres = inject('postgres');
const stack = useCliStack();

describe('clients reach Postgres through pg-tunnel and the gateway', () => {
  it('psql on its default sslmode (prefer) runs a query as the upstream role', async () => {
    const result = await psql(stack.tunnel.host, stack.tunnel.port, [
      '-c',
      'select 1, current_user',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`1|${postgres.user}`);
  });

  it('psql with sslmode=disable works too', async () => {
    const result = await psql(stack.tunnel.host, stack.tunnel.port, ['-c', 'select 2'], {
      PGSSLMODE: 'disable',
    });
    expect(result.stdout.trim()).toBe('2');
  });

  it('the client never needs the upstream password, and a password it sends is ignored', async () => {
    const result = await psql(stack.tunnel.host, stack.tunnel.port, ['-c', 'select 3'], {
      PGPASSWORD: 'whatever',
    });
    expect(result.stdout.trim()).toBe('3');
  });

  it('node-postgres runs parameterized queries and passes application_name through', async () => {
    const client = new pg.Client({
      host: stack.tunnel.host,
      port: stack.tunnel.port,
      user: 'someone',
      database: 'somedb',
      application_name: 'node-test',
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ sum: number; app: string }>(
        'select $1::int + $2::int as sum, current_setting($3) as app',
        [40, 2, 'application_name'],
      );
      expect(rows).toEqual([{ sum: 42, app: 'node-test' }]);
    } finally {
      await client.end();
    }
  });

  it('the CLI prints a line per session opened and closed', async () => {
    await psql(stack.tunnel.host, stack.tunnel.port, ['-c', 'select 1'], {
      PGAPPNAME: 'line-check',
    });
    await stack.tunnel.process.waitFor(
      /connected: user anything, database postgres, application line-check/,
    );
    await stack.tunnel.process.waitFor(/\[\d+\] closed after/);
  });
});

describe('the reference client @prisma/ppg-tunnel works against our gateway', () => {
  let reference: RunningProcess;
  let port: number;

  beforeAll(async () => {
    ({ process: reference, port } = await startReferenceTunnel(
      stack.gateway.wsUrl,
      stack.gateway.keys.valid,
    ));
  });

  afterAll(async () => {
    await reference?.stop();
  });

  it('psql with PGSSLMODE=disable runs queries through it', async () => {
    const result = await psql('127.0.0.1', port, ['-c', "select 'via reference', current_user"], {
      PGSSLMODE: 'disable',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`via reference|${postgres.user}`);
  });

  it('a 10,000-row result arrives whole through it', async () => {
    const result = await psql(
      '127.0.0.1',
      port,
      [
        '-c',
        'select count(*), sum(length(r)) from (select repeat(g::text, 20) r from generate_series(1, 10000) g) s',
      ],
      {
        PGSSLMODE: 'disable',
      },
    );
    const expected = await psql(stack.tunnel.host, stack.tunnel.port, [
      '-c',
      'select count(*), sum(length(r)) from (select repeat(g::text, 20) r from generate_series(1, 10000) g) s',
    ]);
    expect(result.stdout).toBe(expected.stdout);
  });
});
