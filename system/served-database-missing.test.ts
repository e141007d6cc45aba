import { afterAll, describe, expect, inject, it } from 'vitest';
import { run } from '../main/testing/child-process.js';
import { newApiKey } from '../main/testing/gateway.js';
import {
  keyFor,
  openDirectTunnel,
  openTunnel,
  startInProcessGateway,
} from '../main/testing/in-process.js';

/**
 * A key or a direct profile whose own database does not exist upstream: the client gets a FATAL
 * saying so, with a HINT naming what serves it, and no NOTICE claiming a connection that never
 * happened. psql with no -d (libpq's default, its user name), which lands in that database.
 */
const postgres = inject('postgres');
const MISSING = `nosuchdb_${Math.random().toString(36).slice(2)}`;
const missingUrl = postgres.url.replace(`/${postgres.database}?`, `/${MISSING}?`);
const stops: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const stop of stops.reverse()) {
    await stop();
  }
});

/** psql as user "alice", no database named, through host:port: what it printed on stderr. */
async function psqlDefault({ host, port }: { host: string; port: number }): Promise<string> {
  const result = await run(
    'psql',
    ['-h', host, '-p', String(port), '-U', 'alice', '-X', '-c', 'select 1'],
    { PGSSLMODE: undefined, PGPASSWORD: undefined, PGDATABASE: undefined },
  );
  expect(result.code).toBe(2);
  return result.stderr;
}

describe("a key's or profile's own database that does not exist", () => {
  it('through the gateway: a FATAL naming the database the API key serves, no NOTICE', async () => {
    const apiKey = newApiKey();
    const { gateway, gatewayUrl } = await startInProcessGateway([keyFor(apiKey, missingUrl)]);
    stops.push(() => gateway.close());
    const opened = await openTunnel({ apiKey, gatewayUrl });
    stops.push(() => opened.tunnel.stop('kill'));
    const stderr = await psqlDefault(opened);
    expect(stderr).not.toContain('NOTICE');
    expect(stderr).toContain(
      `FATAL:  database "${MISSING}", which this API key serves, does not exist\n` +
        "HINT:  Ask the gateway's operator to create it, or to correct the database of this API key's upstream.",
    );
  });

  it('through a direct profile: a FATAL naming the profile, no NOTICE', async () => {
    const opened = await openDirectTunnel(missingUrl, 'Prod');
    stops.push(() => opened.tunnel.stop('kill'));
    const stderr = await psqlDefault(opened);
    expect(stderr).not.toContain('NOTICE');
    expect(stderr).toContain(
      `FATAL:  database "${MISSING}", which the profile “Prod” serves, does not exist\n` +
        'HINT:  Create it, or correct the database of “Prod” in PG Tunnel.',
    );
  });
});
