import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifiedConnectionDetails } from '../shared/connection-details.js';
import { decodeErrorFields } from '../main/pgwire/error-response.js';
import { startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { startPostgres, type PostgresServer } from '../main/testing/postgres.js';
import { psql } from '../main/testing/psql.js';
import { privateKeyMaterialIn } from '../main/testing/key-material.js';
import { RawClient } from '../main/testing/raw-client.js';
import { localCaDir, openLocalCa } from '../main/tls/index.js';
import { issueServerCertificate } from '../main/tls/issue.js';

/**
 * TLS on the local port, with real clients: psql 15 (sslmode=require and verify-full), a Node TLS
 * client for what psql 15 cannot do (direct TLS, a cancel inside TLS), node-postgres, and the
 * same openings sent to a Postgres 18 with ssl=on to compare.
 */
const postgres = inject('postgres');
let gateway: RunningGateway;
/** A configuration directory with a space in its path, as on macOS ("Application Support"). */
let configDir: string;
let tunnel: RunningTunnel;
let caPath: string;
let caPem: string;

beforeAll(async () => {
  gateway = await startGatewayProcess(postgres);
  configDir = await mkdtemp(join(tmpdir(), 'pg-tunnel config '));
  tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid, [
    '--tls',
    'on',
    '--config-dir',
    configDir,
  ]);
  caPath = join(localCaDir(configDir), 'ca.crt');
  caPem = await readFile(caPath, 'utf8');
});

afterAll(async () => {
  await tunnel?.process.stop();
  await gateway?.process.stop();
  await rm(configDir, { recursive: true, force: true });
});

const SSL_LINE = /^SSL connection \(protocol: TLSv1\.[23], cipher: \S+, compression: off\)$/m;

/** The rows of the first column a raw client received. */
async function rows(client: RawClient): Promise<string[]> {
  return (await client.messages())
    .filter((m) => m.name === 'dataRow')
    .map((m) => String((m as unknown as { fields: unknown[] }).fields[0]));
}

describe('clients that insist on TLS work through the tunnel', () => {
  it('the banner names the CA file, and psql given exactly those settings verifies the tunnel', async () => {
    expect(tunnel.process.stdout).toContain(`Made the local certificate authority ${caPath}.`);
    const [, settings] = await tunnel.process.waitFor(/^ +(sslmode=verify-full sslrootcert=.+)$/m);
    // The path has a space: the banner quotes it as libpq reads it.
    expect(settings).toBe(`sslmode=verify-full sslrootcert='${caPath}'`);
    const result = await psql('localhost', tunnel.port, [
      '-d',
      `dbname=postgres ${settings}`,
      '-c',
      'select 1',
      '-c',
      '\\conninfo',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe('1');
    expect(result.stdout).toMatch(SSL_LINE);
  });

  it('psql with sslmode=require: select 1 returns, over TLS', async () => {
    const result = await psql(tunnel.host, tunnel.port, ['-c', 'select 1', '-c', '\\conninfo'], {
      PGSSLMODE: 'require',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe('1');
    expect(result.stdout).toMatch(SSL_LINE);
  });

  it('psql with sslmode=verify-full, sslrootcert=<the CA>, host=localhost: select 1 returns', async () => {
    const result = await psql('localhost', tunnel.port, ['-c', 'select 1'], {
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: caPath,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('1');
  });

  it('verify-full against another CA is refused by the client: the verification is real', async () => {
    const other = await mkdtemp(join(tmpdir(), 'pg-tunnel-other-ca-'));
    try {
      const { caCertPath } = await openLocalCa(other);
      const result = await psql('localhost', tunnel.port, ['-c', 'select 1'], {
        PGSSLMODE: 'verify-full',
        PGSSLROOTCERT: caCertPath,
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('certificate verify failed');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('psql on the default sslmode=prefer gets TLS too, and one with sslmode=disable does not', async () => {
    const prefer = await psql(tunnel.host, tunnel.port, ['-c', '\\conninfo']);
    expect(prefer.stdout).toMatch(SSL_LINE);
    const disable = await psql(tunnel.host, tunnel.port, ['-c', '\\conninfo'], {
      PGSSLMODE: 'disable',
    });
    expect(disable.stderr).toBe('');
    expect(disable.stdout).not.toMatch(/SSL connection/);
  });

  it('a client opening with a TLS ClientHello and ALPN postgresql (direct TLS) completes a query', async () => {
    const client = await RawClient.openTls(tunnel.host, tunnel.port, {
      negotiation: 'direct',
      alpn: ['postgresql'],
      ca: caPem,
    });
    expect(client.socket.alpnProtocol).toBe('postgresql');
    expect(client.socket.authorized).toBe(true);
    await client.send(
      Buffer.concat([
        serialize.startup({ user: 'anything', database: 'postgres' }),
        serialize.query("select 'direct ' || 'tls'"),
        serialize.end(),
      ]),
    );
    await client.closed;
    expect(await rows(client)).toEqual(['direct tls']);
  });

  it('node-postgres with ssl: { ca } connects and verifies the tunnel', async () => {
    const client = new pg.Client({
      host: tunnel.host,
      port: tunnel.port,
      user: 'anything',
      database: 'postgres',
      ssl: { ca: caPem },
    });
    await client.connect();
    try {
      const { rows: result } = await client.query<{ one: number }>('select 1 as one');
      expect(result).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  it("the JDBC URL of the window's verifying preset parses to this host, port and CA, which verifies the tunnel", async () => {
    const { jdbc } = verifiedConnectionDetails(tunnel.host, tunnel.port, caPath);
    const parsed = new URL(jdbc.slice('jdbc:'.length));
    expect(parsed.hostname).toBe(tunnel.host);
    expect(Number(parsed.port)).toBe(tunnel.port);
    expect(parsed.searchParams.get('sslmode')).toBe('verify-full');
    const sslrootcert = parsed.searchParams.get('sslrootcert')!;
    expect(sslrootcert).toBe(caPath);
    const client = new pg.Client({
      host: parsed.hostname,
      port: Number(parsed.port),
      user: parsed.searchParams.get('user')!,
      database: parsed.pathname.slice(1),
      ssl: { ca: await readFile(sslrootcert, 'utf8') },
    });
    await client.connect();
    try {
      expect((await client.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end();
    }
  });

  it('a cancel request sent inside TLS (as libpq 17 sends it) cancels the query', async () => {
    const session = await RawClient.openTls(tunnel.host, tunnel.port, {
      negotiation: 'direct',
      alpn: ['postgresql'],
      ca: caPem,
    });
    await session.send(serialize.startup({ user: 'anything', database: 'postgres' }));
    const keyData = (await session.untilFrame('Z')).find((f) => f.type === 'K'.charCodeAt(0))!;
    await session.send(serialize.query('select pg_sleep(30)'));
    // The query is running once the gateway has passed it on; a cancel before that finds nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const canceller = await RawClient.openTls(tunnel.host, tunnel.port, {
      negotiation: 'ssl-request',
      ca: caPem,
    });
    const cancel = Buffer.alloc(8);
    cancel.writeInt32BE(8 + keyData.body.length, 0);
    cancel.writeInt32BE(80877102, 4); // CancelRequest: 1234 << 16 | 5678
    await canceller.send(Buffer.concat([cancel, keyData.body]));
    const frames = await session.untilFrame('E', 20_000);
    const error = decodeErrorFields(frames.find((f) => f.type === 'E'.charCodeAt(0))!.body);
    expect(error.message).toBe('canceling statement due to user request');
    session.socket.destroy();
  });
});

describe('openings with TLS on are answered as a Postgres 18 with ssl=on answers them', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    // The same certificate as the tunnel's, so that the same clients trust both.
    const tls = localCaDir(configDir);
    server = await startPostgres({
      tls: { certPath: join(tls, 'server.crt'), keyPath: join(tls, 'server.key') },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** What a client sees: each opening run against the tunnel and against Postgres. */
  const openings: Array<[string, (port: number) => Promise<string>]> = [
    [
      'a direct ClientHello with ALPN postgresql: the handshake, then the startup is answered',
      async (port) => {
        const client = await RawClient.openTls('127.0.0.1', port, {
          negotiation: 'direct',
          alpn: ['postgresql'],
          ca: caPem,
        });
        await client.send(serialize.startup({ user: postgres.user, database: 'postgres' }));
        const [first] = await client.untilFrame('R');
        client.socket.destroy();
        return `ALPN ${client.socket.alpnProtocol}, then '${String.fromCharCode(first!.type)}'`;
      },
    ],
    [
      'a direct ClientHello without ALPN: the handshake completes, then a close with nothing said',
      async (port) => {
        const client = await RawClient.openTls('127.0.0.1', port, {
          negotiation: 'direct',
          ca: caPem,
        });
        await client.send(serialize.startup({ user: postgres.user, database: 'postgres' }));
        await client.closed;
        return `handshake done, then ${client.bytes().length} bytes and a close`;
      },
    ],
    [
      'a direct ClientHello offering only http/1.1: refused with no_application_protocol',
      async (port) => {
        const error = await RawClient.openTls('127.0.0.1', port, {
          negotiation: 'direct',
          alpn: ['http/1.1'],
          ca: caPem,
        }).catch((e: Error) => e);
        return /alert no application protocol/.test(String(error))
          ? 'alert: no application protocol'
          : `unexpected: ${String(error)}`;
      },
    ],
    [
      'a startup sent behind an SSLRequest, before the S: S, then the handshake fails on it',
      async (port) => {
        const received: Buffer[] = [];
        await new Promise<void>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port }, () =>
            socket.write(Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'x' })])),
          );
          socket.on('data', (chunk: Buffer) => received.push(chunk));
          socket.on('error', () => {});
          socket.on('close', () => resolve());
        });
        return `received ${JSON.stringify(Buffer.concat(received).toString('latin1'))}, then a close`;
      },
    ],
    [
      'a GSSENCRequest: N, then the SSLRequest that follows gets S',
      async (port) => {
        const received: Buffer[] = [];
        const socket = connect({ host: '127.0.0.1', port });
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        await new Promise((resolve) => socket.once('connect', resolve));
        const gssencRequest = Buffer.alloc(8);
        gssencRequest.writeInt32BE(8, 0);
        gssencRequest.writeInt32BE(80877104, 4); // GSSENCRequest: 1234 << 16 | 5680
        socket.write(gssencRequest);
        await new Promise((resolve) => socket.once('data', resolve));
        socket.write(serialize.requestSsl());
        await new Promise((resolve) => socket.once('data', resolve));
        socket.destroy();
        return `answered ${JSON.stringify(Buffer.concat(received).toString('latin1'))}`;
      },
    ],
    [
      'an SSLRequest inside direct TLS: N',
      async (port) => {
        const client = await RawClient.openTls('127.0.0.1', port, {
          negotiation: 'direct',
          alpn: ['postgresql'],
          ca: caPem,
        });
        await client.send(serialize.requestSsl());
        const answer = await new Promise<Buffer>((resolve) => client.socket.once('data', resolve));
        client.socket.destroy();
        return `answered ${JSON.stringify(answer.toString('latin1'))}`;
      },
    ],
    [
      'a second SSLRequest once TLS is up: the FATAL for protocol 1234.5679',
      async (port) => {
        const client = await RawClient.openTls('127.0.0.1', port, {
          negotiation: 'ssl-request',
          ca: caPem,
        });
        await client.send(serialize.requestSsl());
        await client.closed;
        const [frame] = client.frames();
        const error = decodeErrorFields(frame!.body);
        return `${error.severity} ${error.code}: ${error.message}`;
      },
    ],
  ];

  it.each(openings)('%s', async (_name, open) => {
    const [through, direct] = [await open(tunnel.port), await open(server.port)];
    expect(through).toBe(direct);
  });

  it('a session its database ends, in TLS: psql on the default sslmode=prefer says what it says with Postgres', async () => {
    const terminate = ['-c', 'select pg_terminate_backend(pg_backend_pid())'];
    const [through, direct] = await Promise.all([
      psql(tunnel.host, tunnel.port, terminate),
      psql(server.host, server.port, ['-U', server.user, ...terminate], {
        PGPASSWORD: server.password,
      }),
    ]);
    expect(direct.stderr).toContain('FATAL:  terminating connection due to administrator command');
    expect(through.stderr).toBe(direct.stderr);
    expect(through.code).toBe(direct.code);
  });

  it('a login refused in TLS: psql on the default sslmode=prefer tries again in plain text, as with Postgres', async () => {
    const refused = await startTunnelCli(gateway.wsUrl, gateway.keys.wrongPassword, [
      '--tls',
      'on',
      '--config-dir',
      configDir,
    ]);
    try {
      const [through, direct] = await Promise.all([
        psql(refused.host, refused.port, ['-c', 'select 1']),
        psql(server.host, server.port, ['-U', server.user, '-c', 'select 1'], {
          PGPASSWORD: 'not-the-password',
        }),
      ]);
      // libpq retries a login refused inside TLS once in plain text under prefer
      // (PQconnectPoll, src/interfaces/libpq/fe-connect.c): two attempts, two FATALs, through
      // the tunnel as with Postgres. The gateway's prefix is the API-key contract's difference.
      const same = (stderr: string): string =>
        stderr
          .replace(/port \d+ failed/g, 'port P failed')
          .replace(/the gateway could not log in to the database: /g, '');
      expect(direct.stderr.match(/failed: FATAL: {2}password authentication failed/g)).toHaveLength(
        2,
      );
      expect(same(through.stderr)).toBe(same(direct.stderr));
      expect(through.code).toBe(direct.code);
    } finally {
      await refused.process.stop();
    }
  });
});

describe('the local certificate at start', () => {
  it('one past its renewal point is replaced, and a client trusting the CA still connects', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-renewal-'));
    let renewed: RunningTunnel | undefined;
    try {
      const ca = await openLocalCa(dir);
      const tls = localCaDir(dir);
      // A certificate made 340 days ago: 25 days left, past the renewal point (30 days).
      const old = await issueServerCertificate(
        { cert: ca.caCertPem, key: await readFile(join(tls, 'ca.key'), 'utf8') },
        new Date(Date.now() - 340 * 24 * 60 * 60 * 1000),
      );
      await writeFile(join(tls, 'server.crt'), old.cert);
      await writeFile(join(tls, 'server.key'), old.key);

      renewed = await startTunnelCli(gateway.wsUrl, gateway.keys.valid, [
        '--tls',
        'on',
        '--config-dir',
        dir,
      ]);
      expect(renewed.process.stdout).toMatch(
        /Made a new certificate for the local port: it expires on \d{4}-\d\d-\d\d\./,
      );
      const result = await psql('localhost', renewed.port, ['-c', 'select 1'], {
        PGSSLMODE: 'verify-full',
        PGSSLROOTCERT: ca.caCertPath,
      });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('1');
      const client = await RawClient.openTls(renewed.host, renewed.port, {
        negotiation: 'ssl-request',
        ca: ca.caCertPem,
      });
      const served = new X509Certificate(client.socket.getPeerX509Certificate()!.raw);
      client.socket.destroy();
      expect(served.raw.equals(new X509Certificate(old.cert).raw)).toBe(false);
      expect(new Date(served.validTo).getTime()).toBeGreaterThan(
        new Date(new X509Certificate(old.cert).validTo).getTime(),
      );
      expect(
        served.raw.equals(new X509Certificate(await readFile(join(tls, 'server.crt'))).raw),
      ).toBe(true);
      // Saying what it renewed, it named no key, the new one included.
      expect(await privateKeyMaterialIn(renewed.process.output, dir)).toEqual([]);
    } finally {
      await renewed?.process.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('secrets', () => {
  it('no private key material appears in what the tunnel printed', async () => {
    expect(await privateKeyMaterialIn(tunnel.process.output, configDir)).toEqual([]);
  });
});
