import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addressBlock, FailedKeyLimiter } from './failed-key-limiter.js';
import { openTunnel } from '../testing/in-process.js';
import { newApiKey, startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { psql } from '../testing/psql.js';
import { until } from '../testing/until.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const LIMIT = { attempts: 10, windowSeconds: 60, blockSeconds: 300 };

/** A limiter on a clock the test moves. */
function limiterAt(start = 1_000_000, maxAddresses?: number) {
  const clock = { now: start };
  const limiter = new FailedKeyLimiter(LIMIT, maxAddresses, () => clock.now);
  return { limiter, clock };
}

describe('FailedKeyLimiter', () => {
  it('refuses an address for blockSeconds from its 10th unknown key within the window', () => {
    const { limiter, clock } = limiterAt();
    for (let i = 1; i < LIMIT.attempts; i++) {
      expect(limiter.recordFailure('198.51.100.7')).toBe(false);
      clock.now += 1000;
    }
    expect(limiter.retryAfterMs('198.51.100.7')).toBe(0);
    expect(limiter.recordFailure('198.51.100.7')).toBe(true);
    expect(limiter.retryAfterMs('198.51.100.7')).toBe(300_000);
    expect(limiter.limitedAddresses()).toBe(1);
    clock.now += 299_000;
    expect(limiter.retryAfterMs('198.51.100.7')).toBe(1000);
    clock.now += 1000;
    expect(limiter.retryAfterMs('198.51.100.7')).toBe(0);
    expect(limiter.limitedAddresses()).toBe(0);
  });

  it('counts only failures within one window, and each address on its own', () => {
    const { limiter, clock } = limiterAt();
    for (let i = 0; i < 3 * LIMIT.attempts; i++) {
      limiter.recordFailure('198.51.100.8');
      limiter.recordFailure(`203.0.113.${i}`);
      clock.now += 7_000; // 9 failures a minute: under the limit
    }
    expect(limiter.retryAfterMs('198.51.100.8')).toBe(0);
    expect(limiter.limitedAddresses()).toBe(0);
  });

  it('counts an IPv6 /64 as one address, and an IPv4-mapped address as its IPv4', () => {
    expect(addressBlock('2001:db8:1:2:aaaa::1')).toBe(
      addressBlock('2001:0db8:0001:0002:ffff:1:2:3'),
    );
    expect(addressBlock('2001:db8:1:2::5')).not.toBe(addressBlock('2001:db8:1:3::5'));
    expect(addressBlock('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressBlock('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressBlock('::1')).toBe('0:0:0:0::/64');
    const { limiter } = limiterAt();
    for (let i = 0; i < LIMIT.attempts; i++) {
      limiter.recordFailure(`2001:db8:1:2::${i.toString(16)}`);
    }
    expect(limiter.retryAfterMs('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBeGreaterThan(0);
  });

  it('remembers at most maxAddresses: the least recently seen address not blocked is forgotten first', () => {
    const { limiter } = limiterAt(1_000_000, 3);
    limiter.recordFailure('192.0.2.2');
    for (let i = 0; i < LIMIT.attempts; i++) {
      limiter.recordFailure('192.0.2.1');
    }
    limiter.recordFailure('192.0.2.3');
    limiter.recordFailure('192.0.2.4');
    expect(limiter.retryAfterMs('192.0.2.1')).toBeGreaterThan(0);
    // 192.0.2.2 was forgotten, not the older block: its count starts again.
    for (let i = 1; i < LIMIT.attempts; i++) {
      expect(limiter.recordFailure('192.0.2.2')).toBe(false);
    }
  });

  it('10,001 addresses do not lift a block; full of blocks, it counts no new address and says so', () => {
    const { limiter, clock } = limiterAt();
    for (let i = 0; i < LIMIT.attempts; i++) {
      limiter.recordFailure('198.51.100.99');
    }
    const blockedAt = clock.now;
    for (let i = 0; i < 10_001; i++) {
      limiter.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    }
    expect(limiter.retryAfterMs('198.51.100.99')).toBe(LIMIT.blockSeconds * 1000);
    expect(limiter.full()).toBe(false);

    const small = limiterAt(blockedAt, 2);
    for (const address of ['192.0.2.1', '192.0.2.2']) {
      for (let i = 0; i < LIMIT.attempts; i++) {
        small.limiter.recordFailure(address);
      }
    }
    expect(small.limiter.full()).toBe(true);
    for (let i = 0; i < LIMIT.attempts; i++) {
      expect(small.limiter.recordFailure('192.0.2.3')).toBe(false);
    }
    expect(small.limiter.retryAfterMs('192.0.2.1')).toBeGreaterThan(0);
    expect(small.limiter.retryAfterMs('192.0.2.2')).toBeGreaterThan(0);
    // Once the blocks end, their places are free again.
    small.clock.now += LIMIT.blockSeconds * 1000;
    expect(small.limiter.full()).toBe(false);
    small.limiter.recordFailure('192.0.2.3');
    expect(small.limiter.retryAfterMs('192.0.2.1')).toBe(0);
  });

  it('a reloaded limit applies at once', () => {
    const { limiter } = limiterAt();
    limiter.configure({ ...LIMIT, attempts: 2 });
    limiter.recordFailure('192.0.2.9');
    expect(limiter.recordFailure('192.0.2.9')).toBe(true);
  });
});

/** The gateway's answer to an upgrade request: its HTTP status and Retry-After header. */
function upgrade(
  url: string,
  apiKey: string,
  forwardedFor?: string,
  localAddress?: string,
  forwarded?: string,
): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
    if (forwardedFor) {
      headers['x-forwarded-for'] = forwardedFor;
    }
    if (forwarded) {
      headers['forwarded'] = forwarded;
    }
    const ws = new WebSocket(url, { headers, localAddress });
    ws.once('open', () => {
      ws.close(1000);
      resolve({ status: 101, retryAfter: undefined });
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
      response.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('the gateway limits unknown keys per client address', () => {
  const postgres = inject('postgres');
  const BLOCK_SECONDS = 2;
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGatewayProcess(postgres, {
      edit: (config) => {
        config.failedKeyLimit = { blockSeconds: BLOCK_SECONDS };
        // The test stands in for a proxy: what it writes in X-Forwarded-For is the client.
        config.trustedProxies = ['127.0.0.1'];
      },
    });
  });

  afterAll(async () => {
    await gateway?.process.stop();
  });

  it('answers 429 with Retry-After after 10 unknown keys, even for a valid key; other addresses go on; counted', async () => {
    const guesser = '198.51.100.23';
    // What the client itself wrote left of what its proxy added is not believed.
    expect((await upgrade(gateway.wsUrl, 'guess', `198.51.100.1, ${guesser}`)).status).toBe(401);
    for (let i = 1; i < 10; i++) {
      expect(
        (await upgrade(gateway.wsUrl, `guess-${i}`, `203.0.113.${i}, ${guesser}`)).status,
      ).toBe(401);
    }
    expect(await upgrade(gateway.wsUrl, gateway.keys.valid, guesser)).toEqual({
      status: 429,
      retryAfter: String(BLOCK_SECONDS),
    });
    expect((await upgrade(gateway.wsUrl, gateway.keys.valid, '198.51.100.24')).status).toBe(101);
    expect(gateway.process.output).toContain(
      `"msg":"client address limited","client":"${guesser}"`,
    );
    const metrics = await gateway.metrics();
    expect(metrics['pg_tunnel_gateway_upgrades_limited_total']).toBe(1);
    expect(metrics['pg_tunnel_gateway_limited_addresses']).toBe(1);
    expect(metrics['pg_tunnel_gateway_auth_failures_total']).toBe(10);

    // The block ends after blockSeconds.
    await until(
      async () =>
        (await upgrade(gateway.wsUrl, gateway.keys.valid, guesser)).status === 101
          ? true
          : undefined,
      'the block to end',
      (BLOCK_SECONDS + 5) * 1000,
    );
  });

  it('reads RFC 7239 Forwarded when there is no X-Forwarded-For: the right-most for= counts', async () => {
    const forwarded = (address: string): string =>
      `for=198.51.100.1;proto=https, for="[${address}]:4711"`;
    for (let i = 0; i < 10; i++) {
      const status = (
        await upgrade(gateway.wsUrl, `guess-${i}`, undefined, undefined, forwarded('2001:db8:7::1'))
      ).status;
      expect(status).toBe(401);
    }
    // The same /64, another address in it: limited; the address named first was never counted.
    const again = await upgrade(
      gateway.wsUrl,
      gateway.keys.valid,
      undefined,
      undefined,
      forwarded('2001:db8:7::99'),
    );
    expect(again.status).toBe(429);
    const other = await upgrade(
      gateway.wsUrl,
      gateway.keys.valid,
      undefined,
      undefined,
      'for=198.51.100.1',
    );
    expect(other.status).toBe(101);
  });

  it("psql through a tunnel with a wrong key shows the 429 once its address is limited; the tunnel's warm dials spend one attempt of the 10, not more", async () => {
    const failures = async (): Promise<number> =>
      (await gateway.metrics())['pg_tunnel_gateway_auth_failures_total'] ?? 0;
    const before = await failures();
    // In process: the CLI would end at the first refusal (a wrong key is said as it starts).
    const tunnel = await openTunnel({ apiKey: newApiKey(), gatewayUrl: gateway.wsUrl });
    try {
      // The tunnel dials one warm socket as it starts; refused with 401, it dials no more: a
      // backoff would have tried again after 1 s and 3 s.
      await until(
        async () => ((await failures()) === before + 1 ? true : undefined),
        'the warm dial refused',
      );
      await sleep(4_000);
      expect(await failures()).toBe(before + 1);
      expect((await gateway.metrics())['pg_tunnel_gateway_limited_addresses']).toBe(0);

      // One dial per psql: under sslmode=prefer, libpq tries a login refused inside TLS (the
      // local port's) once more in plain text, which would spend two attempts.
      const selectOne = (): ReturnType<typeof psql> =>
        psql(tunnel.host, tunnel.port, ['-c', 'select 1'], { PGSSLMODE: 'disable' });
      for (let i = 1; i < 10; i++) {
        expect((await selectOne()).stderr).toContain('FATAL:  API key is invalid');
      }
      expect((await selectOne()).stderr).toMatch(
        /FATAL: {2}the tunnel gateway at \S+ answered 429 Too Many Requests/,
      );
    } finally {
      await tunnel.tunnel.stop();
    }
  });
});

describe('a gateway with no trusted proxies ignores X-Forwarded-For', () => {
  const postgres = inject('postgres');
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGatewayProcess(postgres);
  });

  afterAll(async () => {
    await gateway?.process.stop();
  });

  it('a spoofed X-Forwarded-For neither blocks the address it names nor escapes the limit', async () => {
    // Every 127.0.0.0/8 address is this machine: the guesser and the victim are two clients.
    const guesser = '127.0.0.2';
    const victim = '127.0.0.77';
    for (let i = 0; i < 10; i++) {
      const spoofed = i % 2 === 0 ? victim : `198.51.100.${i}`;
      expect((await upgrade(gateway.wsUrl, `guess-${i}`, spoofed, guesser)).status).toBe(401);
    }
    expect((await upgrade(gateway.wsUrl, gateway.keys.valid, victim, guesser)).status).toBe(429);
    expect((await upgrade(gateway.wsUrl, gateway.keys.valid, undefined, victim)).status).toBe(101);
    expect(gateway.process.output).toContain(
      `"msg":"client address limited","client":"${guesser}"`,
    );
  });
});
