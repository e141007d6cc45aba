import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../main/gateway/keys.js';
import { startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import {
  newApiKey,
  startGatewayProcess,
  upstreamUrl,
  type RunningGateway,
} from '../main/testing/gateway.js';
import { connectionError, openSession } from '../main/testing/pg-client.js';
import { psql } from '../main/testing/psql.js';
import { RawClient } from '../main/testing/raw-client.js';
import { until } from '../main/testing/until.js';

const postgres = inject('postgres');
const IDLE_SECONDS = 1;
const idleKey = newApiKey();
const singleKey = newApiKey();
let gateway: RunningGateway;
let idleTunnel: RunningTunnel;
let singleTunnel: RunningTunnel;
let validTunnel: RunningTunnel;

beforeAll(async () => {
  const toPostgres = { upstream: upstreamUrl(postgres), passwordEnv: 'TEST_UPSTREAM_PASSWORD' };
  gateway = await startGatewayProcess(postgres, {
    edit: (config) =>
      config.keys.push(
        {
          id: 'idle',
          keyHash: hashApiKey(idleKey),
          idleTimeoutSeconds: IDLE_SECONDS,
          ...toPostgres,
        },
        { id: 'single', keyHash: hashApiKey(singleKey), maxSessions: 1, ...toPostgres },
      ),
  });
  [idleTunnel, singleTunnel, validTunnel] = await Promise.all([
    startTunnelCli(gateway.wsUrl, idleKey),
    startTunnelCli(gateway.wsUrl, singleKey),
    startTunnelCli(gateway.wsUrl, gateway.keys.valid),
  ]);
});

afterAll(async () => {
  await Promise.all([idleTunnel, singleTunnel, validTunnel].map((t) => t?.process.stop()));
  await gateway?.process.stop();
});

/** psql: a query, then a pause longer than the idle limit, then another query. */
const queryPauseQuery = (
  host: string,
  port: number,
  login: string[],
  env: NodeJS.ProcessEnv = {},
) =>
  psql(
    host,
    port,
    [...login, '-c', 'select 1', '-c', `\\! sleep ${IDLE_SECONDS + 2}`, '-c', 'select 2'],
    env,
    30_000,
  );

describe('idle timeout per key', () => {
  it('psql sees an idle session ended as Postgres ends one at its own idle_session_timeout', async () => {
    // Both in plain text, as this Postgres (ssl=off) serves psql: the same end inside TLS, the
    // local port's, is compared with a Postgres with ssl=on in tunnel-tls.test.ts.
    const plain = { PGSSLMODE: 'disable' };
    const [tunnelled, direct] = await Promise.all([
      queryPauseQuery(idleTunnel.host, idleTunnel.port, [], plain),
      // psql takes the last -U and -d it is given.
      queryPauseQuery(
        postgres.host,
        postgres.port,
        ['-U', postgres.user, '-d', postgres.database],
        {
          ...plain,
          PGPASSWORD: postgres.password,
          PGOPTIONS: `-c idle_session_timeout=${IDLE_SECONDS * 1000}`,
        },
      ),
    ]);
    // Our FATAL has a hint line too: the one thing that differs, and it says why.
    const fatal = /^FATAL: {2}.*\n(HINT: {2}.*\n)?/m;
    expect(direct.stderr).toMatch(
      /^FATAL: {2}terminating connection due to idle-session timeout$/m,
    );
    expect(tunnelled.stderr).toMatch(
      /^FATAL: {2}terminating connection because the session was idle for longer than this API key allows \(1 s\)$/m,
    );
    // Everything else psql says and does is the same.
    expect(tunnelled.stderr.replace(fatal, 'FATAL\n')).toBe(
      direct.stderr.replace(fatal, 'FATAL\n'),
    );
    expect(tunnelled.code).toBe(direct.code);
    expect(tunnelled.stdout).toBe(direct.stdout);
  });

  it('idle in a transaction: the SQLSTATE of idle_in_transaction_session_timeout (25P03)', async () => {
    const session = await openSession(idleTunnel.host, idleTunnel.port, 'idle-in-transaction');
    await session.client.query('begin');
    expect(await session.lost).toMatchObject({
      severity: 'FATAL',
      code: '25P03',
      message:
        'terminating connection because the session was idle in a transaction for longer than this API key allows (1 s)',
    });
    expect(gateway.process.output).toMatch(
      /"msg":"session ended by the gateway"[^\n]*"reason":"idle"/,
    );
    // The tunnel's session line says why, as for the failures it finds itself.
    await idleTunnel.process.waitFor(
      /✖️ {2}\[\d+\] closed after .*: terminating connection because the session was idle in a transaction for longer than this API key allows \(1 s\)$/m,
    );
  });

  it('a query running longer than the limit is not idle; the session ends once it waits for the client', async () => {
    const session = await openSession(idleTunnel.host, idleTunnel.port, 'long-query');
    expect(await session.value(`select 'done' from pg_sleep(${IDLE_SECONDS * 3})`)).toBe('done');
    expect(await session.value('select 3')).toBe('3');
    expect(await session.lost).toMatchObject({ code: '57P05' });
  });

  it('a key without a limit keeps an idle session', async () => {
    const session = await openSession(validTunnel.host, validTunnel.port, 'no-limit');
    await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 2) * 1000));
    expect(await session.value('select 4')).toBe('4');
    await session.client.end();
  });
});

describe('maxSessions per key', () => {
  /** A session on the key that allows one, once the gateway has seen the previous one close. */
  const sessionWhenFree = (name: string) =>
    until(async () => {
      try {
        return await openSession(singleTunnel.host, singleTunnel.port, name);
      } catch {
        return undefined;
      }
    }, 'the key to have a session free');

  it('refuses a session over the limit with a sentence, and takes one again once a session closes', async () => {
    const first = await openSession(singleTunnel.host, singleTunnel.port, 'first');
    expect(await connectionError(singleTunnel.host, singleTunnel.port)).toMatchObject({
      code: '53300',
      message: 'too many sessions for this API key (the gateway allows 1 at once)',
    });
    await singleTunnel.process.waitFor(
      /✖️ {2}\[\d+\] closed after .*: too many sessions for this API key \(the gateway allows 1 at once\)$/m,
    );
    await first.client.end();
    const again = await sessionWhenFree('again');
    expect(await again.value('select 5')).toBe('5');
    await again.client.end();
  });

  it('still serves a cancel request while the key is at its limit, as Postgres does', async () => {
    const only = await sessionWhenFree('cancel-at-limit');
    const sleeping = only.client.query('select pg_sleep(30)');
    sleeping.catch(() => {});
    const admin = await openSession(validTunnel.host, validTunnel.port, 'watcher');
    await until(
      async () =>
        (await admin.value(
          "select count(*) from pg_stat_activity where application_name = 'cancel-at-limit' and state = 'active'",
        )) === '1'
          ? true
          : undefined,
      'the query to run',
    );
    const { processID, secretKey } = only.client as unknown as {
      processID: number;
      secretKey: number;
    };
    const cancel = await RawClient.open(singleTunnel.host, singleTunnel.port);
    await cancel.send(serialize.cancel(processID, secretKey));
    await cancel.closed;
    await expect(sleeping).rejects.toMatchObject({ code: '57014' }); // query_canceled
    await only.client.end();
    await admin.client.end();
  });
});

describe('metrics by key', () => {
  it('sessions open and total, bytes each way and login failures carry the key id', async () => {
    const wrongPassword = await startTunnelCli(gateway.wsUrl, gateway.keys.wrongPassword);
    try {
      // One login: under sslmode=prefer, libpq tries a login refused inside TLS (the local
      // port's) once more in plain text, as against any Postgres with ssl=on.
      await psql(wrongPassword.host, wrongPassword.port, ['-c', 'select 1'], {
        PGSSLMODE: 'disable',
      });
    } finally {
      await wrongPassword.process.stop();
    }
    const open = await openSession(validTunnel.host, validTunnel.port, 'metrics');
    await open.value(`select repeat('x', 100000)`);
    // Sessions of the tests before may still be closing at the gateway: it counts them down then.
    const metrics = await until(async () => {
      const read = await gateway.metrics();
      return read['pg_tunnel_gateway_key_sessions_open{key="valid"}'] === 1 ? read : undefined;
    }, 'only this session open on the key');
    const of = (name: string, key: string): number =>
      metrics[`pg_tunnel_gateway_key_${name}{key="${key}"}`] ?? NaN;
    expect(of('sessions_total', 'valid')).toBeGreaterThanOrEqual(2);
    expect(of('client_sent_bytes_total', 'valid')).toBeGreaterThan(100000);
    expect(of('client_received_bytes_total', 'valid')).toBeGreaterThan(0);
    expect(of('login_failures_total', 'wrong-password')).toBe(1);
    expect(of('login_failures_total', 'valid')).toBe(0);
    expect(of('sessions_total', 'idle')).toBeGreaterThanOrEqual(3);
    // The labelled series add up to the gateway's totals, which stay as they were.
    const keys = ['valid', 'idle', 'single', 'wrong-password'];
    const sum = (name: string) => keys.reduce((total, key) => total + (of(name, key) || 0), 0);
    expect(sum('sessions_total')).toBe(metrics['pg_tunnel_gateway_sessions_total']);
    expect(sum('client_sent_bytes_total')).toBe(
      metrics['pg_tunnel_gateway_client_sent_bytes_total'],
    );
    expect(metrics['pg_tunnel_gateway_sessions_ended_total{reason="idle"}']).toBeGreaterThanOrEqual(
      3,
    );
    await open.client.end();
  });
});
