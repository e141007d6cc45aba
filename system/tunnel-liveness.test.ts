import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { describe, expect, inject, it } from 'vitest';
import { BackendMessage } from '../main/pgwire/codes.js';
import { FrameScanner } from '../main/pgwire/frame-scanner.js';
import { start } from '../main/testing/child-process.js';
import { startTunnelCli } from '../main/testing/cli.js';
import { useCliStack } from '../main/testing/cli-stack.js';
import { startGatewayProcess } from '../main/testing/gateway.js';
import { psql } from '../main/testing/psql.js';
import { RawClient } from '../main/testing/raw-client.js';

/**
 * Liveness with the real defaults (a ping every 15 s, dead after 45 s of unheld silence): a
 * session lives as long as its client and database keep it, whatever backpressure holds, while
 * a frozen gateway is still found. Slow by nature; the tests run concurrently.
 */
const postgres = inject('postgres');
const stack = useCliStack();
const SECOND = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// One suite, so that its tests run side by side: suites run one after another.
describe('healthy sessions that wait are not cut; a dead gateway is still found', () => {
  it.concurrent(
    'a client that stops reading a 40 MB result for 120 s, then reads on, gets all of it',
    async () => {
      const ROWS = 40_000; // of 1000 bytes each
      const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
      await client.send(serialize.startup({ user: 'paused', database: 'postgres' }));
      await client.untilFrame('Z');
      let rows = 0;
      let errors = 0;
      const done = new Promise<void>((resolve) => {
        const scanner = new FrameScanner((type) => {
          if (type === 0x44) {
            rows++; // DataRow
          } else if (type === BackendMessage.ErrorResponse) {
            errors++;
          } else if (type === BackendMessage.ReadyForQuery) {
            resolve();
          }
        }, true);
        client.stream((chunk) => scanner.feed(chunk));
      });
      await client.send(
        serialize.query(`select repeat('x', 1000) from generate_series(1, ${ROWS})`),
      );
      client.socket.pause();
      await sleep(120 * SECOND);
      client.socket.resume();
      await done;
      expect({ rows, errors }).toEqual({ rows: ROWS, errors: 0 });
      client.socket.end(serialize.end());
    },
    240 * SECOND,
  );

  it.concurrent(
    'a \\copy of a million rows that waits 90 s on a lock held by another transaction completes',
    async () => {
      const table = `copy_waits_${process.pid}`;
      const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-copy-lock-'));
      const file = join(dir, 'rows.csv');
      const ROWS = 1_000_000;
      const LOCKED_ID = 300_000; // the rows after it (~50 MB) fill every buffer on the way
      const lines: string[] = [];
      for (let id = 1; id <= ROWS; id++) {
        lines.push(`${id},${'x'.repeat(48)}`);
      }
      await writeFile(file, `${lines.join('\n')}\n`);
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      try {
        await admin.query(
          `drop table if exists ${table}; create table ${table} (id int primary key, word text)`,
        );
        // An uncommitted row with a key the copy will reach: its unique check waits for this
        // transaction, and meanwhile psql keeps sending, so backpressure holds all the way back.
        await admin.query(`begin; insert into ${table} values (${LOCKED_ID}, 'held')`);
        const copy = psql(
          stack.tunnel.host,
          stack.tunnel.port,
          ['-c', `\\copy ${table} from '${file}' csv`],
          {},
          240 * SECOND,
        );
        await sleep(90 * SECOND);
        await admin.query('rollback');
        const result = await copy;
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe(`COPY ${ROWS}`);
        const { rows } = await admin.query(`select count(*)::int as n from ${table}`);
        expect(rows[0].n).toBe(ROWS);
      } finally {
        await admin.query(`drop table if exists ${table}`).catch(() => {});
        await admin.end();
        await rm(dir, { recursive: true, force: true });
      }
    },
    240 * SECOND,
  );

  it.concurrent(
    'a gateway frozen with SIGSTOP is detected within 70 s, with the sentence',
    async () => {
      const gateway = await startGatewayProcess(postgres);
      const tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid);
      const session = start(
        'psql',
        [
          '-h',
          tunnel.host,
          '-p',
          String(tunnel.port),
          '-U',
          'frozen',
          '-d',
          'postgres',
          '-X',
          '-A',
          '-t',
        ],
        { PGSSLMODE: undefined },
      );
      try {
        session.child.stdin!.write('select 1;\n');
        await session.waitFor(/^1$/m);
        gateway.process.child.kill('SIGSTOP');
        await tunnel.process.waitFor(
          /\[1\] closed after .*: the tunnel gateway stopped answering \(nothing heard for 45 s\)/,
          70 * SECOND,
        );
        session.child.stdin!.end('select 2;\n');
        await session.exited;
        expect(session.stderr).toContain('FATAL:  the tunnel gateway stopped answering');
      } finally {
        gateway.process.child.kill('SIGCONT');
        await session.stop();
        await tunnel.process.stop();
        await gateway.process.stop();
      }
    },
    120 * SECOND,
  );
});
