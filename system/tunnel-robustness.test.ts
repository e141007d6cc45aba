import { serialize } from 'pg-protocol';
import type { DataRowMessage } from 'pg-protocol/dist/messages.js';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { start } from '../main/testing/child-process.js';
import { useCliStack } from '../main/testing/cli-stack.js';
import { psql } from '../main/testing/psql.js';
import { RawClient } from '../main/testing/raw-client.js';

// The openings of a port without TLS (a Postgres with ssl=off); with TLS, see tunnel-tls.test.ts.
const stack = useCliStack(['--tls', 'off']);
const SSL_REQUEST_CODE = 80877103; // 1234 << 16 | 5679

const QUERY = "select 'split' || g as word from generate_series(1, 3) g";
const startupAndQuery = (): Buffer =>
  Buffer.concat([
    serialize.startup({ user: 'anything', database: 'anydb' }),
    serialize.query(QUERY),
    serialize.end(),
  ]);

async function upgradeRequests(): Promise<number> {
  return (await stack.gateway.metrics())['pg_tunnel_gateway_upgrade_requests_total'] ?? NaN;
}

describe('cancel', () => {
  it('psql running pg_sleep(30) gets SIGINT and prints the cancel message within 2 s', async () => {
    const proc = start(
      'psql',
      [
        '-h',
        stack.tunnel.host,
        '-p',
        String(stack.tunnel.port),
        '-U',
        'x',
        '-X',
        '-c',
        'select pg_sleep(30)',
      ],
      {
        PGSSLMODE: undefined,
      },
    );
    await stack.tunnel.process.waitFor(/\[\d+\] 127\.0\.0\.1:\d+ connected: user x/);
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the query reach the server
    const sentAt = Date.now();
    proc.child.kill('SIGINT');
    await proc.exited;
    const elapsed = Date.now() - sentAt;
    expect(proc.stderr).toContain('canceling statement due to user request');
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('odd openings are handled as Postgres handles them, and never reach the gateway', () => {
  /** What arrives, what Postgres answers (nothing: a quiet close), and the words in the log. */
  const quiet: Array<[string, Buffer, RegExp]> = [
    [
      'an HTTP request',
      Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'),
      /an HTTP request/,
    ],
    ['Terminate before any startup', Buffer.from([0x58, 0, 0, 0, 4]), /a Terminate message/],
    [
      'a TLS ClientHello (sslnegotiation=direct)',
      Buffer.from([0x16, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3]),
      /a TLS ClientHello \(direct TLS negotiation\)/,
    ],
    ['an oversize length', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0]), /junk: /],
  ];

  it.each(quiet)(
    '%s: closed with nothing sent, named in the log, zero dials',
    async (_name, bytes, words) => {
      const before = await upgradeRequests();
      const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
      const localPort = client.socket.localPort;
      await client.send(bytes);
      await client.closed;
      expect(client.bytes()).toEqual(Buffer.alloc(0));
      await stack.tunnel.process.waitFor(
        new RegExp(`⚠️ +127\\.0\\.0\\.1:${localPort}: ${words.source}`),
      );
      expect(await upgradeRequests()).toBe(before);
    },
  );

  /** What arrives, and the FATAL Postgres sends for it. */
  const fatal: Array<[string, Buffer, string, string]> = [
    [
      'a protocol 4.0 startup',
      Buffer.from([0, 0, 0, 16, 0, 4, 0, 0, ...Buffer.from('user\0x\0\0')]),
      '0A000',
      'unsupported frontend protocol 4.0: server supports 3.0 to 3.2',
    ],
    [
      'a startup with no user',
      serialize.startup({ database: 'x' }),
      '28000',
      'no PostgreSQL user name specified in startup packet',
    ],
    [
      'a startup sent behind an SSLRequest, before its answer (N, then the FATAL)',
      Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'x' })]),
      '08P01',
      'received unencrypted data after SSL request',
    ],
  ];

  it.each(fatal)(
    '%s: the FATAL Postgres sends, zero dials',
    async (_name, bytes, code, message) => {
      const before = await upgradeRequests();
      const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
      await client.send(bytes);
      await client.closed;
      // An SSLRequest is answered with the single byte N before anything else.
      const answered = bytes.readInt32BE(4) === SSL_REQUEST_CODE;
      const reply = client.bytes();
      expect(reply.subarray(0, answered ? 1 : 0).toString()).toBe(answered ? 'N' : '');
      client.received.splice(0, client.received.length, reply.subarray(answered ? 1 : 0));
      const errors = (await client.messages()).filter((m) => m.name === 'error');
      expect(errors).toMatchObject([{ severity: 'FATAL', code, message }]);
      expect(await upgradeRequests()).toBe(before);
    },
  );

  it('fewer than 4 bytes then a close (the reference client dies on this): the tunnel lives on', async () => {
    const before = await upgradeRequests();
    const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
    await client.send(Buffer.from([0, 0]));
    client.socket.end();
    await client.closed;
    expect(await upgradeRequests()).toBe(before);
    expect(
      (await psql(stack.tunnel.host, stack.tunnel.port, ['-c', 'select 1'])).stdout.trim(),
    ).toBe('1');
  });

  it('a client that sends nothing is closed after the startup timeout, quietly, with zero dials', async () => {
    const before = await upgradeRequests();
    const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
    await client.closed;
    expect(client.bytes()).toEqual(Buffer.alloc(0));
    await stack.tunnel.process.waitFor(/no startup message within 10 s/);
    expect(await upgradeRequests()).toBe(before);
  }, 20_000);

  it('the gateway reads openings with the same reader: junk from a WebSocket client is closed on quietly and named in its log', async () => {
    const ws = new WebSocket(stack.gateway.wsUrl, {
      headers: { authorization: `Bearer ${stack.gateway.keys.valid}` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const received: Buffer[] = [];
    ws.on('message', (data: Buffer) => received.push(data));
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(await closed).toBe(1000);
    expect(received).toEqual([]);
    await stack.gateway.process.waitFor(/"msg":"tunnel rejected".*"reason":"an HTTP request"/);
  });

  it('the tunnel still serves after all of that', async () => {
    expect(
      (await psql(stack.tunnel.host, stack.tunnel.port, ['-c', 'select 2'])).stdout.trim(),
    ).toBe('2');
  });
});

describe('messages split at every byte boundary pass through intact', () => {
  const rows = async (client: RawClient): Promise<string[]> =>
    (await client.messages())
      .filter((m): m is DataRowMessage => m.name === 'dataRow')
      .map((m) => String(m.fields[0]));

  it('a client writing 1-byte chunks to the tunnel', async () => {
    const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
    await client.send(startupAndQuery(), 1);
    await client.closed;
    expect(await rows(client)).toEqual(['split1', 'split2', 'split3']);
  });

  it('a WebSocket client sending 1-byte messages to the gateway', async () => {
    const ws = new WebSocket(stack.gateway.wsUrl, {
      headers: { authorization: `Bearer ${stack.gateway.keys.valid}` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const received: Buffer[] = [];
    ws.on('message', (data: Buffer) => received.push(data));
    const closed = new Promise((resolve) => ws.once('close', resolve));
    for (const byte of startupAndQuery()) {
      ws.send(Buffer.from([byte]));
    }
    await closed;
    const client = Object.assign(Object.create(RawClient.prototype) as RawClient, { received });
    expect(await rows(client)).toEqual(['split1', 'split2', 'split3']);
  });
});
