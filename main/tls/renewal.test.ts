import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from '../testing/child-process.js';
import { startInProcessStack, type InProcessStack } from '../testing/in-process.js';
import { until } from '../testing/until.js';
import { localCaDir, openLocalCa, type LocalCa } from './local-ca.js';
import { RENEWAL_MARGIN_MS, SERVER_LIFETIME_MS } from './policy.js';
import { renewLocalTlsWhileServing, type LocalTlsRenewal } from './renewal.js';

/**
 * A running tunnel's certificate renewed without a restart: the tunnel, its gateway and the
 * Postgres are real, and so is the client (node-postgres, trusting the local CA only).
 */
const postgres = inject('postgres');
const DAY_MS = 24 * 60 * 60 * 1000;

let configDir: string;
let stack: InProcessStack | undefined;
let renewal: LocalTlsRenewal | undefined;
const clients: pg.Client[] = [];

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-renewal-'));
});
afterEach(async () => {
  renewal?.stop();
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
  await stack?.stop();
  stack = undefined;
  await rm(localCaDir(configDir), { recursive: true, force: true });
});
afterAll(async () => {
  await rm(configDir, { recursive: true, force: true });
});

/**
 * The local CA as a tunnel started `daysAgo` days ago found it: what openLocalCa made then (the
 * clock of that start injected), so that the certificate served is as old as the tunnel.
 */
function openedDaysAgo(daysAgo: number): Promise<LocalCa> {
  return openLocalCa(configDir, new Date(Date.now() - daysAgo * DAY_MS));
}

/**
 * A node-postgres client through the tunnel that verifies its certificate against `caPem`, and
 * the certificate it was given (read once connected: Node lets go of it later in the connection).
 */
async function verifyingClient(
  port: number,
  caPem: string,
): Promise<{ client: pg.Client; served: { serial: string; validTo: Date } }> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'anything',
    database: 'postgres',
    ssl: { ca: caPem },
  });
  client.on('error', () => {});
  await client.connect();
  clients.push(client);
  return { client, served: servedTo(client) };
}

/** The certificate the client's TLS connection was given. */
function servedTo(client: pg.Client): { serial: string; validTo: Date } {
  const socket = (client as unknown as { connection: { stream: TLSSocket } }).connection.stream;
  const certificate = socket.getPeerX509Certificate();
  expect(certificate).toBeDefined();
  return { serial: certificate!.serialNumber, validTo: new Date(certificate!.validTo) };
}

async function selectOne(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ one: number }>('select 1 as one');
  return rows[0]!.one;
}

describe('a running tunnel renews its local certificate', () => {
  it('one started 340 days ago, past its renewal point: the next check serves a new one to new clients; an open session keeps its own', async () => {
    const started = await openedDaysAgo(340);
    const old = new X509Certificate(started.server.cert);
    // Still valid now, but within the renewal margin: only a restart would have renewed it.
    expect(new Date(old.validTo).getTime() - Date.now()).toBeLessThan(RENEWAL_MARGIN_MS);
    expect(new Date(old.validTo).getTime()).toBeGreaterThan(Date.now());
    stack = await startInProcessStack(postgres, { tls: started.server });

    const before = await verifyingClient(stack.port, started.caCertPem);
    expect(await selectOne(before.client)).toBe(1);
    expect(before.served.serial).toBe(old.serialNumber);

    const reports: string[] = [];
    const tunnel = stack.tunnel;
    // A short interval stands for the day between checks: the renewal is due at the first.
    renewal = renewLocalTlsWhileServing({
      open: () => openLocalCa(configDir),
      served: started.server,
      serve: (server) => tunnel.serveLocalTls(server),
      report: (level, message) => reports.push(`${level}: ${message}`),
      intervalMs: 100,
    });
    await until(
      () => reports.find((line) => line.includes('New connections get the new certificate')),
      'the renewal to be served',
      30_000,
    );
    expect(reports[0]).toMatch(/^info: Made a new certificate for the local port: it expires on /);

    const after = await verifyingClient(stack.port, started.caCertPem);
    expect(await selectOne(after.client)).toBe(1);
    const renewed = after.served;
    expect(renewed.serial).not.toBe(old.serialNumber);
    // A full lifetime from now, give or take the backdating.
    expect(renewed.validTo.getTime()).toBeGreaterThan(Date.now() + SERVER_LIFETIME_MS - 2 * DAY_MS);

    // The session opened before goes on, in the TLS connection it began with.
    expect(await selectOne(before.client)).toBe(1);
    expect(stack.tunnel.sessions()).toHaveLength(2);
  });

  it('nothing due: the certificate served stays, and nothing is said', async () => {
    const started = await openLocalCa(configDir);
    stack = await startInProcessStack(postgres, { tls: started.server });
    const served: string[] = [];
    const reports: string[] = [];
    renewal = renewLocalTlsWhileServing({
      open: () => openLocalCa(configDir),
      served: started.server,
      serve: (server) => served.push(server.cert),
      report: (_level, message) => reports.push(message),
    });
    await renewal.check();
    expect(served).toEqual([]);
    expect(reports).toEqual([]);
    const { served: got } = await verifyingClient(stack.port, started.caCertPem);
    expect(got.serial).toBe(new X509Certificate(started.server.cert).serialNumber);
  });

  it('renewed by another process sharing the configuration directory: served here too', async () => {
    const started = await openLocalCa(configDir);
    stack = await startInProcessStack(postgres, { tls: started.server });
    const tunnel = stack.tunnel;
    renewal = renewLocalTlsWhileServing({
      open: () => openLocalCa(configDir),
      served: started.server,
      serve: (server) => tunnel.serveLocalTls(server),
      report: () => {},
    });
    // Another tunnel's start replaced the certificate on disk (here: found none and made one).
    await unlink(join(localCaDir(configDir), 'server.crt'));
    const elsewhere = await openLocalCa(configDir);
    await renewal.check();
    const { served: got } = await verifyingClient(stack.port, started.caCertPem);
    expect(got.serial).toBe(new X509Certificate(elsewhere.server.cert).serialNumber);
  });

  it('a check that fails is reported, and the certificate served stays', async () => {
    const started = await openLocalCa(configDir);
    stack = await startInProcessStack(postgres, { tls: started.server });
    const reports: string[] = [];
    renewal = renewLocalTlsWhileServing({
      open: () => openLocalCa(configDir),
      served: started.server,
      serve: () => {
        throw new Error('unreachable: nothing is due');
      },
      report: (level, message) => reports.push(`${level}: ${message}`),
    });
    // A damaged CA: openLocalCa refuses it with its sentence.
    await unlink(join(localCaDir(configDir), 'ca.key'));
    await renewal.check();
    expect(reports).toEqual([
      `error: The local port's certificate could not be renewed: The local certificate authority in ${localCaDir(configDir)} cannot be used: ca.key is missing. Move that folder away and PG Tunnel makes a new one at the next start (clients that verify the tunnel must then be given the new ca.crt). It is tried again at the next check; until then the current one is served.`,
    ]);
    const { served: got } = await verifyingClient(stack.port, started.caCertPem);
    expect(got.serial).toBe(new X509Certificate(started.server.cert).serialNumber);
  });

  it('its timer does not keep a process alive', async () => {
    // A process whose only work left is the daily check exits on its own.
    const script = [
      `import { renewLocalTlsWhileServing } from ${JSON.stringify(new URL('./renewal.ts', import.meta.url).href)};`,
      "renewLocalTlsWhileServing({ open: () => new Promise(() => {}), served: { cert: '', key: '' }, serve() {}, report() {} });",
      "console.log('scheduled');",
    ].join('\n');
    const result = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {},
      {
        timeoutMs: 60_000,
      },
    );
    expect(result.stdout.trim()).toBe('scheduled');
    expect(result.code).toBe(0);
  }, 90_000);
});
