import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SessionInfo } from '../../shared/session.js';
import { start, type RunningProcess } from '../testing/child-process.js';
import {
  openDirectTunnel,
  startInProcessStack,
  type InProcessStack,
} from '../testing/in-process.js';
import { psql } from '../testing/psql.js';
import { until } from '../testing/until.js';

const postgres = inject('postgres');
let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack(postgres);
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * psql reading commands from a pipe, as a person typing would (by default, through `stack`, in a
 * database the key does not serve).
 */
function interactivePsql(
  appName: string,
  { host, port }: { host: string; port: number } = stack,
  database = 'reports',
): RunningProcess {
  return start(
    'psql',
    ['-h', host, '-p', String(port), '-U', 'reader', '-d', database, '-X', '-A', '-t'],
    {
      PGAPPNAME: appName,
      PGSSLMODE: undefined,
    },
  );
}

const sessionOf = (appName: string): SessionInfo | undefined =>
  stack.tunnel.sessions().find((s) => s.applicationName === appName);

describe('the session registry', () => {
  it('shows user, database, application, backend pid, bytes and state of an open psql session; forgets it after', async () => {
    const proc = interactivePsql('registry-check');
    proc.child.stdin!.write('select pg_backend_pid();\n');
    const [, pid] = await proc.waitFor(/^(\d+)$/m);
    const session = await until(() => {
      const s = sessionOf('registry-check');
      return s?.state === 'idle' ? s : undefined;
    }, 'an idle session');
    expect(session).toMatchObject({
      user: 'reader',
      database: 'reports',
      applicationName: 'registry-check',
      backendPid: Number(pid),
      state: 'idle',
    });
    expect(session.clientAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(session.bytesFromClient).toBeGreaterThan(0);
    expect(session.bytesToClient).toBeGreaterThan(0);
    expect(session.openedAt).toBeLessThanOrEqual(session.lastActivityAt);

    proc.child.stdin!.write('begin;\nselect 1;\n');
    await until(
      () => (sessionOf('registry-check')?.state === 'in-transaction' ? true : undefined),
      'in-transaction',
    );
    proc.child.stdin!.write('select 1/0;\n');
    await until(
      () => (sessionOf('registry-check')?.state === 'failed' ? true : undefined),
      'failed transaction',
    );

    proc.child.stdin!.end('rollback;\n');
    await proc.exited;
    await until(() => (sessionOf('registry-check') ? undefined : true), 'the session to go');
  });

  it('marks a session active while its query runs', async () => {
    const proc = start(
      'psql',
      ['-h', stack.host, '-p', String(stack.port), '-U', 'x', '-X', '-c', 'select pg_sleep(1.5)'],
      {
        PGAPPNAME: 'busy-check',
        PGSSLMODE: undefined,
      },
    );
    await until(
      () => (sessionOf('busy-check')?.state === 'active' ? true : undefined),
      'an active session',
    );
    expect(await proc.exited).toBe(0);
  });

  it('kills one session: its psql connection ends with a sentence, others go on', async () => {
    const victim = interactivePsql('victim');
    const bystander = interactivePsql('bystander');
    const target = await until(
      () => (sessionOf('victim')?.state === 'idle' ? sessionOf('victim') : undefined),
      'victim',
    );
    await until(() => (sessionOf('bystander')?.state === 'idle' ? true : undefined), 'bystander');
    expect(stack.tunnel.killSession(target.id)).toBe(true);
    victim.child.stdin!.end('select 1;\n');
    await victim.exited;
    expect(victim.stderr).toContain('the session was disconnected from PG Tunnel');
    bystander.child.stdin!.end("select 'still here';\n");
    await bystander.waitFor(/still here/);
    expect(stack.tunnel.killSession('no-such-session')).toBe(false);
  });
});

describe('stopping a tunnel', () => {
  it('drain: waits for an open query to finish, then closes the port', async () => {
    const own = await startInProcessStack(postgres);
    const running = psql(own.host, own.port, ['-c', "select pg_sleep(1), 'finished'"]);
    await until(
      () => (own.tunnel.sessions()[0]?.state === 'active' ? true : undefined),
      'an active session',
    );
    await own.tunnel.stop('drain', 10_000);
    const result = await running;
    expect(result.stdout.trim()).toBe('|finished');
    const refused = await psql(own.host, own.port, ['-c', 'select 1']);
    expect(refused.stderr).toContain('Connection refused');
    await own.gateway.close();
  });

  it('kill: ends open sessions at once, telling the client', async () => {
    const own = await startInProcessStack(postgres);
    const running = psql(own.host, own.port, ['-c', 'select pg_sleep(20)'], {}, 30_000);
    await until(
      () => (own.tunnel.sessions()[0]?.state === 'active' ? true : undefined),
      'an active session',
    );
    await own.tunnel.stop('kill');
    const result = await running;
    expect(result.code).not.toBe(0);
    await own.gateway.close();
  });
});

describe('a direct tunnel (the same session, its far side the database)', () => {
  it('registers its sessions, and ends them with the same sentences: a kill, the tunnel stopping', async () => {
    const direct = await openDirectTunnel(postgres.url);
    try {
      const of = (appName: string): SessionInfo | undefined =>
        direct.tunnel.sessions().find((s) => s.applicationName === appName);
      const victim = interactivePsql('direct-victim', direct, postgres.database);
      victim.child.stdin!.write('select pg_backend_pid();\n');
      const [, pid] = await victim.waitFor(/^(\d+)$/m);
      const session = await until(
        () => (of('direct-victim')?.state === 'idle' ? of('direct-victim') : undefined),
        'an idle session',
      );
      expect(session).toMatchObject({ user: 'reader', backendPid: Number(pid) });
      expect(direct.tunnel.killSession(session.id)).toBe(true);
      victim.child.stdin!.end('select 1;\n');
      await victim.exited;
      expect(victim.stderr).toContain('the session was disconnected from PG Tunnel');

      const sleeper = interactivePsql('direct-sleeper', direct, postgres.database);
      sleeper.child.stdin!.end('select pg_sleep(20);\n');
      await until(() => (of('direct-sleeper')?.state === 'active' ? true : undefined), 'active');
      await direct.tunnel.stop('kill');
      expect(await sleeper.exited).not.toBe(0);
      expect(sleeper.stderr).toContain('FATAL:  the tunnel is stopping');
    } finally {
      await direct.tunnel.stop();
    }
  });
});
