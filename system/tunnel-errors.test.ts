import { lookup } from 'node:dns/promises';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from '../main/testing/child-process.js';
import { CLI_PATH, startCli, startTunnelCli, type RunningTunnel } from '../main/testing/cli.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { openTunnel } from '../main/testing/in-process.js';
import { freePort } from '../main/testing/ports.js';
import { connectionError } from '../main/testing/pg-client.js';
import { psql } from '../main/testing/psql.js';

const postgres = inject('postgres');
let gateway: RunningGateway;
const tunnels: RunningTunnel[] = [];

beforeAll(async () => {
  gateway = await startGatewayProcess(postgres);
});

afterAll(async () => {
  await Promise.all(tunnels.map((t) => t.process.stop()));
  await gateway?.process.stop();
});

async function tunnelWith(apiKey: string, gatewayUrl = gateway.wsUrl): Promise<RunningTunnel> {
  const tunnel = await startTunnelCli(gatewayUrl, apiKey);
  tunnels.push(tunnel);
  return tunnel;
}

const runCli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(
    process.execPath,
    [CLI_PATH, ...args],
    { PDP_API_KEY: undefined, DATABASE_URL: undefined, ...env },
    { timeoutMs: 10_000 },
  );

describe('a wrong key, path or gateway is said as the tunnel starts, before any client', () => {
  it('a wrong API key: the sentence and its fix at once, and exit 1', async () => {
    const result = await runCli(['--gateway', gateway.wsUrl], {
      PDP_API_KEY: 'not-a-key-the-gateway-knows',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('PG Tunnel listening on');
    expect(result.stderr.trim()).toMatch(
      /^❌ API key is invalid: the tunnel gateway refused it \(request id \S+\)\. Check the API key of this tunnel \(PDP_API_KEY or the api_key of DATABASE_URL\)\.$/,
    );
  });

  it('a key with no database behind it: the 410 sentence, and exit 1', async () => {
    const result = await runCli(['--gateway', gateway.wsUrl], {
      PDP_API_KEY: gateway.keys.noDatabase,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('❌ There is no database behind this API key');
  });

  it('a wrong path: "the path is /websocket", and exit 1', async () => {
    const wrongPath = gateway.wsUrl.replace(/\/websocket$/, '/tunnel');
    const result = await runCli(['--gateway', wrongPath], { PDP_API_KEY: gateway.keys.valid });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`❌ The tunnel gateway at ${wrongPath} answered 404 Not Found`);
    expect(result.stderr).toContain(
      `The path is /websocket: check the end of the gateway URL (${wrongPath}).`,
    );
  });

  it('wss:// to a gateway without TLS: a sentence saying to use ws://, not a bare EPROTO', async () => {
    const tlsUrl = gateway.wsUrl.replace(/^ws:/, 'wss:');
    const proc = startCli(['--gateway', tlsUrl], {
      PDP_API_KEY: gateway.keys.valid,
      DATABASE_URL: undefined,
    });
    try {
      await proc.waitFor(
        /⚠️ {2}Could not reach the tunnel gateway at \S+: the gateway does not speak TLS on that port \(EPROTO\)\. A gateway without TLS \(a local one\) is reached with ws:\/\/, not wss:\/\/\./,
      );
    } finally {
      await proc.stop();
    }
  });

  it('a gateway down for now: the tunnel says so, keeps listening, and connects once the gateway is up', async () => {
    const port = await freePort();
    const laterUrl = `ws://127.0.0.1:${port}/websocket`;
    const tunnel = await tunnelWith(gateway.keys.valid, laterUrl);
    await tunnel.process.waitFor(
      /⚠️ {2}Could not reach the tunnel gateway at \S+: ECONNREFUSED\. The tunnel keeps listening, and connects clients once it answers\./,
    );
    const down = await psql(tunnel.host, tunnel.port, ['-c', 'select 1']);
    expect(down.stderr).toContain(
      `FATAL:  could not reach the tunnel gateway at ${laterUrl}: ECONNREFUSED`,
    );
    expect(await connectionError(tunnel.host, tunnel.port)).toMatchObject({ code: '57P03' });

    const late = await startGatewayProcess(postgres, { port, keys: gateway.keys });
    try {
      await tunnel.process.waitFor(/✅ The tunnel gateway answers again\./, 90_000);
      expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 3'])).stdout.trim()).toBe('3');
    } finally {
      await late.process.stop();
    }
  });
});

describe('psql shows a sentence for every way a tunnel can fail', () => {
  it('a key refused after the tunnel started: 28P01 "API key is invalid"', async () => {
    const { tunnel, host, port } = await openTunnel({
      apiKey: 'not-a-key-the-gateway-knows',
      gatewayUrl: gateway.wsUrl,
    });
    try {
      const result = await psql(host, port, ['-c', 'select 1']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('FATAL:  API key is invalid');
      expect(await connectionError(host, port)).toMatchObject({
        code: '28P01',
        severity: 'FATAL',
      });
      expect(
        (await gateway.metrics())['pg_tunnel_gateway_auth_failures_total'],
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await tunnel.stop();
    }
  });

  it('a key with no database behind it: the 410 sentence', async () => {
    const { tunnel, host, port } = await openTunnel({
      apiKey: gateway.keys.noDatabase,
      gatewayUrl: gateway.wsUrl,
    });
    try {
      const result = await psql(host, port, ['-c', 'select 1']);
      expect(result.stderr).toContain('FATAL:  there is no database behind this API key');
    } finally {
      await tunnel.stop();
    }
  });

  it('the gateway is down: 57P03 naming the gateway URL', async () => {
    const deadUrl = `ws://127.0.0.1:${await freePort()}/websocket`;
    const tunnel = await tunnelWith(gateway.keys.valid, deadUrl);
    const result = await psql(tunnel.host, tunnel.port, ['-c', 'select 1']);
    expect(result.stderr).toContain(
      `FATAL:  could not reach the tunnel gateway at ${deadUrl}: ECONNREFUSED`,
    );
    expect(await connectionError(tunnel.host, tunnel.port)).toMatchObject({ code: '57P03' });
  });

  it('the upstream is down: a FATAL error, no hang', async () => {
    const tunnel = await tunnelWith(gateway.keys.upstreamDown);
    const result = await psql(tunnel.host, tunnel.port, ['-c', 'select 1'], {}, 20_000);
    expect(result.stderr).toMatch(
      /FATAL: {2}the gateway could not reach the database \(ECONNREFUSED\)/,
    );
  });

  it('a wrong upstream password: the upstream sentence, as FATAL', async () => {
    const tunnel = await tunnelWith(gateway.keys.wrongPassword);
    const result = await psql(tunnel.host, tunnel.port, ['-c', 'select 1'], {}, 20_000);
    expect(result.stderr).toContain(
      'FATAL:  the gateway could not log in to the database: password authentication failed',
    );
    expect(result.stderr).not.toContain(postgres.password);
  });

  it('the tunnel keeps serving good sessions after all of these', async () => {
    const tunnel = await tunnelWith(gateway.keys.valid);
    expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 7'])).stdout.trim()).toBe('7');
  });
});

describe('the CLI refuses bad input with one sentence and a non-zero exit', () => {
  it('no API key or database URL anywhere', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^No API key or database URL found: set DATABASE_URL to a postgres:\/\/ URL/,
    );
  });

  it('a malformed DATABASE_URL, without echoing it', async () => {
    const result = await runCli([], {
      DATABASE_URL: 'prisma+postgres://host/?nokey=secret-value-123',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL has no api_key parameter');
    expect(result.stderr).not.toContain('secret-value-123');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('the api_key of DATABASE_URL is used when PDP_API_KEY is absent', async () => {
    const url = `prisma+postgres://accelerate.prisma-data.net/?api_key=${gateway.keys.valid}`;
    const proc = startCli(['--gateway', gateway.wsUrl], {
      PDP_API_KEY: undefined,
      DATABASE_URL: url,
    });
    const [, port] = await proc.waitFor(/port:\s+(\d+)/);
    try {
      expect((await psql('127.0.0.1', Number(port), ['-c', 'select 8'])).stdout.trim()).toBe('8');
    } finally {
      await proc.stop();
    }
  });

  it('a .env file in the working directory is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-dotenv-'));
    await writeFile(
      join(dir, '.env'),
      `PDP_API_KEY=${gateway.keys.valid}\nPPG_WS_URL=${gateway.wsUrl}\n`,
    );
    const proc = startCli(
      [],
      { PDP_API_KEY: undefined, DATABASE_URL: undefined, PPG_WS_URL: undefined },
      dir,
    );
    const [, port] = await proc.waitFor(/port:\s+(\d+)/);
    try {
      expect((await psql('127.0.0.1', Number(port), ['-c', 'select 9'])).stdout.trim()).toBe('9');
    } finally {
      await proc.stop();
    }
  });

  it('a port in use: names the port and suggests --port', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runCli(['--port', String(port), '--gateway', gateway.wsUrl], {
        PDP_API_KEY: gateway.keys.valid,
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Port ${port} on 127.0.0.1 is already in use. Choose another with --port.`,
      );
    } finally {
      blocker.close();
    }
  });

  it('a port held on [::1] by another program: names it, since localhost clients would reach it', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '::1', resolve));
    try {
      const result = await runCli(['--port', String(port), '--gateway', gateway.wsUrl], {
        PDP_API_KEY: gateway.keys.valid,
      });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Port ${port} on ::1 (IPv6 loopback) is already in use: clients that try ::1 first for localhost would reach it instead of the tunnel. Choose another with --port.`,
      );
    } finally {
      blocker.close();
    }
  });

  it('--host localhost listens on every address localhost resolves to', async () => {
    const tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid, ['--host', 'localhost']);
    tunnels.push(tunnel);
    const addresses = await lookup('localhost', { all: true });
    for (const host of [...addresses.map((a) => a.address), 'localhost']) {
      const result = await psql(host, tunnel.port, ['-c', 'select 5']);
      expect(result.stdout.trim(), host).toBe('5');
    }
  });

  it('--host [::1] is ::1, and the banner writes an IPv6 address in brackets', async () => {
    const tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid, ['--host', '[::1]']);
    tunnels.push(tunnel);
    expect(tunnel.process.output).toContain(`PG Tunnel listening on [::1]:${tunnel.port} 🚀`);
    expect((await psql('::1', tunnel.port, ['-c', 'select 6'])).stdout.trim()).toBe('6');
  });

  it('a --host that does not resolve says so, rather than call it an address of another machine', async () => {
    const result = await runCli(['--host', 'nosuchhost.invalid'], {
      PDP_API_KEY: gateway.keys.valid,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^nosuchhost\.invalid does not resolve to an address \((ENOTFOUND|EAI_AGAIN)\): give a host name or address of this machine\.$/,
    );
  });

  it('an unknown option', async () => {
    const result = await runCli(['--frobnicate'], { PDP_API_KEY: gateway.keys.valid });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('Unknown option --frobnicate: see pg-tunnel --help.');
  });

  it('a non-loopback host prints a warning', async () => {
    const proc = startCli(['--host', '0.0.0.0', '--gateway', gateway.wsUrl], {
      PDP_API_KEY: gateway.keys.valid,
    });
    try {
      await proc.waitFor(/anyone who can reach this port reaches your database/);
    } finally {
      await proc.stop();
    }
  });

  it('SIGINT stops listening, ends open sessions and exits 0', async () => {
    const tunnel = await startTunnelCli(gateway.wsUrl, gateway.keys.valid);
    const session = psql(tunnel.host, tunnel.port, ['-c', 'select pg_sleep(20)'], {}, 30_000);
    await tunnel.process.waitFor(/\[1\] 127\.0\.0\.1:\d+ connected/);
    expect(await tunnel.process.stop('SIGINT')).toBe(0);
    const result = await session;
    expect(result.code).not.toBe(0);
    const refused = await psql(tunnel.host, tunnel.port, ['-c', 'select 1']);
    expect(refused.stderr).toContain('Connection refused');
  });
});

describe('session lines', () => {
  it('print what clients send (application_name, user, database) with control characters escaped, so no line can be forged', async () => {
    const tunnel = await tunnelWith(gateway.keys.valid);
    const forged = '✖️  [99] forged line';
    const result = await psql(tunnel.host, tunnel.port, ['-U', 'u\rser', '-c', 'select 1'], {
      PGAPPNAME: `evil\n${forged}\x1b[2K`,
    });
    expect(result.code).toBe(0);
    await tunnel.process.waitFor(/application evil\\n✖️ {2}\[99\] forged line\\x1b\[2K/);
    expect(tunnel.process.output).toContain('user u\\rser');
    expect(tunnel.process.output.split('\n').some((line) => line.startsWith(forged))).toBe(false);
    expect(tunnel.process.output).not.toContain('\x1b');
  });
});

describe('the gateway', () => {
  it('hash-key reads the key from stdin and prints sha256:<hex>', async () => {
    const result = await run(
      process.execPath,
      [CLI_PATH, 'gateway', 'hash-key'],
      {},
      { input: 'abc\n' },
    );
    expect(result.stdout.trim()).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('an invalid config fails at start, naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-badconfig-'));
    const path = join(dir, 'gateway.json');
    await writeFile(path, JSON.stringify({ keys: [{ id: 'a', keyHash: 'md5:nope' }] }));
    const result = await run(process.execPath, [CLI_PATH, 'gateway', '--config', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('keys[0].keyHash');
  });

  it('a config with an unknown field (a typo) fails at start with one sentence naming it and the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-typo-'));
    const path = join(dir, 'gateway.json');
    const keyHash = `sha256:${'0'.repeat(64)}`;
    await writeFile(path, JSON.stringify({ keys: [{ id: 'a', keyHash, maxSesions: 5 }] }));
    const result = await run(process.execPath, [CLI_PATH, 'gateway', '--config', path]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Invalid gateway config ${path}: keys[0].maxSesions is not a known field.`,
    );
  });

  it('a TLS certificate that cannot be read: one sentence, no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-badtls-'));
    const path = join(dir, 'gateway.json');
    await writeFile(
      path,
      JSON.stringify({
        tls: { cert: join(dir, 'missing.crt'), key: join(dir, 'missing.key') },
        keys: [{ id: 'a', keyHash: `sha256:${'0'.repeat(64)}` }],
      }),
    );
    const result = await run(process.execPath, [CLI_PATH, 'gateway', '--config', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^The gateway cannot load its TLS certificate or key: ENOENT/);
    expect(result.stderr).not.toContain('    at ');
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    const health = await fetch(`${gateway.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const metrics = await gateway.metrics();
    for (const name of [
      'pg_tunnel_gateway_sessions_open',
      'pg_tunnel_gateway_sessions_total',
      'pg_tunnel_gateway_auth_failures_total',
      'pg_tunnel_gateway_client_received_bytes_total',
      'pg_tunnel_gateway_client_sent_bytes_total',
      'pg_tunnel_gateway_upstream_dial_failures_total',
    ]) {
      expect(metrics[name], name).toBeTypeOf('number');
    }
  });

  it('logs carry no API key and no upstream password', () => {
    const log = gateway.process.output;
    expect(log).toContain('"msg":"session opened"');
    for (const secret of [...Object.values(gateway.keys), postgres.password]) {
      expect(log).not.toContain(secret);
    }
  });
});
