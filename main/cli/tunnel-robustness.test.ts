import { serialize } from 'pg-protocol';
import type { DataRowMessage, DatabaseError } from 'pg-protocol/dist/messages.js';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { start } from '../testing/child-process.js';
import { useCliStack } from '../testing/cli-stack.js';
import { psql } from '../testing/psql.js';
import { RawClient } from '../testing/raw-client.js';

const stack = useCliStack();

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

describe('junk on the local port never reaches the gateway', () => {
  const junk: Array<[string, Buffer]> = [
    ['garbage bytes', Buffer.from('\x00\x00\x00\x10\xde\xad\xbe\xef garbage')],
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
    ['an oversize length', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0])],
    ['a protocol 2.0 startup', Buffer.from([0, 0, 0, 9, 0, 2, 0, 0, 0])],
  ];

  it.each(junk)('%s: an ErrorResponse 08P01 and a close, zero dials', async (_name, bytes) => {
    const before = await upgradeRequests();
    const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
    await client.send(bytes);
    await client.closed;
    const [message] = await client.messages();
    expect(message).toMatchObject({ name: 'error', severity: 'FATAL', code: '08P01' });
    expect(await upgradeRequests()).toBe(before);
  });

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

  it('a client that sends nothing is turned away after the startup timeout, with zero dials', async () => {
    const before = await upgradeRequests();
    const client = await RawClient.open(stack.tunnel.host, stack.tunnel.port);
    await client.closed;
    const [message] = await client.messages();
    expect((message as DatabaseError).message).toContain('no startup message within 10 s');
    expect(await upgradeRequests()).toBe(before);
  }, 20_000);

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
