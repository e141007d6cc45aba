import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore, type TestCore } from '../testing/app-core.js';
import { startControlServer, type ControlServer } from './control-server.js';

let test: TestCore;
let server: ControlServer;
let token: string;
let origin: string;

beforeAll(async () => {
  test = await createTestCore();
  server = await startControlServer({ target: test.core, port: 0, staticDir: undefined });
  token = new URL(server.url).searchParams.get('token')!;
  origin = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await test?.core.dispose();
});

/** A raw request, so that Host and Origin can be whatever an attacker would send. */
function call(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method,
        headers: { host: `127.0.0.1:${server.port}`, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const rpc = (command: string, args: unknown[], headers: Record<string, string> = {}) =>
  call(
    `/rpc/${command}`,
    { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    'POST',
    JSON.stringify({ args }),
  );

describe('the control server', () => {
  it('prints a loopback URL with a token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
  });

  it('serves the page with the token, trading it for an HttpOnly SameSite cookie, under a strict CSP', async () => {
    const page = await call(`/?token=${token}`);
    expect(page.status).toBe(200);
    expect(String(page.headers['set-cookie'])).toMatch(
      /pg_tunnel_token=[\w-]+; HttpOnly; SameSite=Strict/,
    );
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect((await call('/', { cookie })).status).toBe(200);
  });

  it('refuses a missing or wrong token', async () => {
    expect((await call('/')).status).toBe(401);
    expect((await call('/?token=wrong')).status).toBe(401);
    expect((await call(`/?token=${token.slice(0, -1)}x`)).status).toBe(401);
    const noToken = await call(
      '/rpc/getSnapshot',
      { 'content-type': 'application/json' },
      'POST',
      '{}',
    );
    expect(noToken.status).toBe(401);
    expect(noToken.body).not.toContain('"profiles"');
  });

  it('refuses a foreign Origin, even with the token', async () => {
    const response = await rpc('getSnapshot', [], { origin: 'http://evil.example' });
    expect(response.status).toBe(403);
    expect((await rpc('getSnapshot', [], { origin })).status).toBe(200);
  });

  it('refuses a non-loopback Host (DNS rebinding), even with the token', async () => {
    expect((await call(`/?token=${token}`, { host: `evil.example:${server.port}` })).status).toBe(
      403,
    );
    expect((await call(`/?token=${token}`, { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses commands that are not JSON (what a cross-site form could send)', async () => {
    expect((await rpc('getSnapshot', [], { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('runs commands of the contract and returns errors as sentences with the field', async () => {
    const snapshot = JSON.parse((await rpc('getSnapshot', [])).body) as {
      ok: boolean;
      result: { version: string };
    };
    expect(snapshot).toMatchObject({ ok: true, result: { version: 'test', profiles: [] } });
    const refused = JSON.parse(
      (await rpc('addProfile', [{ name: '', apiKey: 'k' }])).body,
    ) as unknown;
    expect(refused).toEqual({
      ok: false,
      error: { message: 'Give the tunnel a name.', field: 'name' },
    });
    expect((await rpc('noSuchCommand', [])).status).toBe(404);
  });

  it('answers arguments of the wrong shape with a sentence, never a TypeError', async () => {
    const reply = async (command: string, args: unknown[]) =>
      JSON.parse((await rpc(command, args)).body) as { ok: boolean; error?: { message: string } };
    const cases: Array<[string, unknown[], string]> = [
      [
        'addProfile',
        [null],
        'addProfile takes a profile (an object with a name) as argument 1; it got null.',
      ],
      [
        'addProfile',
        [],
        'addProfile takes a profile (an object with a name) as argument 1; it got undefined.',
      ],
      ['addProfile', [{}], "addProfile: the profile's name must be string; it is undefined."],
      [
        'addProfile',
        [{ name: 'x', port: '5432' }],
        "addProfile: the profile's port must be number or null; it is string.",
      ],
      [
        'updateProfile',
        [7, { name: 'x' }],
        'updateProfile takes an id (a string) as argument 1; it got number.',
      ],
      ['startTunnel', [{}], 'startTunnel takes an id (a string) as argument 1; it got object.'],
      [
        'updateSettings',
        [[true]],
        'updateSettings takes settings (an object) as argument 1; it got array.',
      ],
      ['getSnapshot', [1], 'getSnapshot takes no arguments; it got 1.'],
    ];
    for (const [command, args, message] of cases) {
      expect(await reply(command, args), `${command} ${JSON.stringify(args)}`).toEqual({
        ok: false,
        error: { message },
      });
    }
  });

  it('takes a direct profile whose sslrootcert is left out as one without a CA file', async () => {
    const added = JSON.parse(
      (
        await rpc('addProfile', [
          {
            name: 'No CA given',
            kind: 'direct',
            upstream: {
              host: '127.0.0.1',
              port: 5432,
              database: 'app',
              user: 'app',
              sslmode: 'prefer',
              channelBinding: 'prefer',
            },
          },
        ])
      ).body,
    ) as { ok: boolean; result?: { id: string } };
    expect(added).toMatchObject({ ok: true });
    await rpc('deleteProfile', [added.result!.id]);
  });

  it('pushes snapshots on the event socket to a holder of the token only', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/events`);
    const status = await new Promise<number>((resolve) =>
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);

    const events = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${token}`, { origin });
    const messages: Array<{ event: string; data: { profiles: Array<{ name: string }> } }> = [];
    events.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve) => events.once('open', resolve));
    await rpc('addProfile', [
      {
        name: 'Pushed',
        gatewayUrl: 'ws://127.0.0.1:9/websocket',
        apiKey: 'a-long-enough-test-key',
      },
    ]);
    const deadline = Date.now() + 3_000;
    while (
      !messages.some((m) => m.data.profiles.some((p) => p.name === 'Pushed')) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(messages[0]?.event).toBe('snapshot');
    expect(messages.some((m) => m.data.profiles.some((p) => p.name === 'Pushed'))).toBe(true);
    expect(JSON.stringify(messages)).not.toContain('a-long-enough-test-key');
    events.close();
  });
});

describe('the window files', () => {
  it('serves index.html and assets from a directory named with a trailing slash, and nothing outside it', async () => {
    const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-static-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>window</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'export {};');
    await writeFile(join(tmpdir(), 'pg-tunnel-outside.txt'), 'secret');
    const files = await startControlServer({
      target: test.core,
      port: 0,
      staticDir: `${dir}/`, // as RENDERER_DIR is built from a URL ending in /
    });
    try {
      const get = (path: string) =>
        new Promise<{ status: number; type: string | undefined; body: string }>(
          (resolve, reject) => {
            const req = request(
              {
                host: '127.0.0.1',
                port: files.port,
                path,
                headers: {
                  host: `127.0.0.1:${files.port}`,
                  authorization: `Bearer ${new URL(files.url).searchParams.get('token')}`,
                },
              },
              (res) => {
                let body = '';
                res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
                res.on('end', () =>
                  resolve({
                    status: res.statusCode ?? 0,
                    type: res.headers['content-type'],
                    body,
                  }),
                );
              },
            );
            req.on('error', reject);
            req.end();
          },
        );
      expect(await get('/')).toMatchObject({
        status: 200,
        body: expect.stringContaining('window'),
      });
      expect(await get('/assets/app.js')).toMatchObject({
        status: 200,
        type: 'text/javascript; charset=utf-8',
      });
      expect((await get('/..%2Fpg-tunnel-outside.txt')).status).toBe(404);
      expect((await get('/assets/missing.js')).status).toBe(404);
    } finally {
      await files.close();
    }
  });
});

describe('requests it cannot parse get an answer, and the server goes on', () => {
  /** One raw request on its own TCP connection; resolves with the answer's status line. */
  const rawStatusLine = (port: number, request: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
      socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    });

  it.each(['http://[', '//[', 'http://a%zz/', 'https://x:99999/', 'http://:80/'])(
    '400 for the target %s, before the token is looked at, as a request and an upgrade',
    async (target) => {
      expect(
        await rawStatusLine(
          server.port,
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        ),
      ).toMatch(/^HTTP\/1\.1 400 /);
      expect(
        await rawStatusLine(
          server.port,
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        ),
      ).toMatch(/^HTTP\/1\.1 400 /);
      expect((await rpc('getSnapshot', [])).status).toBe(200);
    },
  );

  it('404 for a file name with a malformed percent-escape, and the window still loads', async () => {
    const staticDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-static-'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>PG Tunnel</title>');
    const withWindow = await startControlServer({ target: test.core, port: 0, staticDir });
    try {
      const cookie = `Cookie: pg_tunnel_token=${new URL(withWindow.url).searchParams.get('token')}\r\n`;
      expect(
        await rawStatusLine(
          withWindow.port,
          `GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1:${withWindow.port}\r\n${cookie}Connection: close\r\n\r\n`,
        ),
      ).toMatch(/^HTTP\/1\.1 404 /);
      expect(
        await rawStatusLine(
          withWindow.port,
          `GET / HTTP/1.1\r\nHost: 127.0.0.1:${withWindow.port}\r\n${cookie}Connection: close\r\n\r\n`,
        ),
      ).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await withWindow.close();
    }
  });
});
