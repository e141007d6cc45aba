import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from './keys.js';
import { startTunnelCli, type RunningTunnel } from '../testing/cli.js';
import {
  newApiKey,
  startGatewayProcess,
  upstreamUrl,
  type ConfigFile,
  type ConfigFileKey,
  type RunningGateway,
} from '../testing/gateway.js';
import { openSession } from '../testing/pg-client.js';
import { psql } from '../testing/psql.js';
import { until } from '../testing/until.js';

const postgres = inject('postgres');
let gateway: RunningGateway;
const tunnels: RunningTunnel[] = [];

/** A key of the config file that reaches the run's Postgres. */
const keyToPostgres = (id: string, apiKey: string): ConfigFileKey => ({
  id,
  keyHash: hashApiKey(apiKey),
  upstream: upstreamUrl(postgres),
  passwordEnv: 'TEST_UPSTREAM_PASSWORD',
});

const warmOpen = async (): Promise<number> =>
  (await gateway.metrics())['pg_tunnel_gateway_warm_sockets_open'] ?? 0;

const retiring = newApiKey();
const revoked = newApiKey();
const added = newApiKey();

beforeAll(async () => {
  gateway = await startGatewayProcess(postgres, {
    edit: (config) =>
      config.keys.push(keyToPostgres('retiring', retiring), keyToPostgres('revoked', revoked)),
  });
});

afterAll(async () => {
  await Promise.all(tunnels.map((tunnel) => tunnel.process.stop()));
  await gateway?.process.stop();
});

async function tunnelWith(apiKey: string): Promise<RunningTunnel> {
  const tunnel = await startTunnelCli(gateway.wsUrl, apiKey);
  tunnels.push(tunnel);
  return tunnel;
}

const selectThroughTunnel = async (tunnel: RunningTunnel, sql: string) =>
  psql(tunnel.host, tunnel.port, ['-c', sql]);

/** The config in force, changed by `change`: every reload builds on the one before. */
function nextConfig(change: (config: ConfigFile) => void): ConfigFile {
  const config = structuredClone(gateway.config);
  change(config);
  Object.assign(gateway.config, config);
  return config;
}

describe('SIGHUP reloads the config file', () => {
  it('a new key connects at once; a removed key is refused with its sentence while its open session goes on', async () => {
    const retiringTunnel = await tunnelWith(retiring);
    const open = await openSession(
      retiringTunnel.host,
      retiringTunnel.port,
      'open-on-retiring-key',
    );

    const line = await gateway.reload(
      nextConfig((config) => {
        config.keys = config.keys.filter((key) => key.id !== 'retiring');
        config.keys.push(keyToPostgres('added', added));
      }),
    );
    expect(line).toContain('"msg":"config reloaded"');
    expect(line).toContain('"added":"added","removed":"retiring"');

    expect((await selectThroughTunnel(await tunnelWith(added), 'select 11')).stdout.trim()).toBe(
      '11',
    );
    const refused = await selectThroughTunnel(retiringTunnel, 'select 1');
    expect(refused.stderr).toContain('FATAL:  API key is invalid');
    expect(await open.value('select 12')).toBe('12');
    await open.client.end();
  });

  it('with onKeyRemoved "end", the open sessions of a removed key end with a FATAL saying it was revoked', async () => {
    const revokedTunnel = await tunnelWith(revoked);
    const open = await openSession(revokedTunnel.host, revokedTunnel.port, 'open-on-revoked-key');
    const keptTunnel = await tunnelWith(gateway.keys.valid);
    const other = await openSession(keptTunnel.host, keptTunnel.port, 'open-on-kept-key');

    const line = await gateway.reload(
      nextConfig((config) => {
        config.keys = config.keys.filter((key) => key.id !== 'revoked');
        config.onKeyRemoved = 'end';
      }),
    );
    expect(line).toContain('"removed":"revoked"');
    expect(line).toContain('"sessionsEnded":1');
    expect(await open.lost).toMatchObject({
      severity: 'FATAL',
      code: '57P01',
      message: 'terminating connection because its API key was revoked',
    });
    expect(await other.value('select 13')).toBe('13');
    await other.client.end();
  });

  it('a changed key serves new sessions with its new settings; open sessions keep the old ones', async () => {
    const tunnel = await tunnelWith(gateway.keys.valid);
    const open = await openSession(tunnel.host, tunnel.port, 'open-before-change');
    await gateway.reload(
      nextConfig((config) => {
        const valid = config.keys.find((key) => key.id === 'valid')!;
        valid.passwordEnv = undefined;
        valid.upstream = upstreamUrl(postgres).replace('@', ':a-wrong-password@');
      }),
    );
    const refused = await selectThroughTunnel(tunnel, 'select 1');
    expect(refused.stderr).toContain('FATAL:  the gateway could not log in to the database');
    expect(await open.value('select 14')).toBe('14');
    await open.client.end();
    await gateway.reload(
      nextConfig((config) => {
        Object.assign(
          config.keys.find((key) => key.id === 'valid')!,
          keyToPostgres('valid', gateway.keys.valid),
        );
      }),
    );
    expect((await selectThroughTunnel(tunnel, 'select 15')).stdout.trim()).toBe('15');
  });

  it('an invalid file is refused with the sentence naming the field, and the config in force stays', async () => {
    const tunnel = await tunnelWith(gateway.keys.valid);
    const invalid = structuredClone(gateway.config);
    invalid.keys[0]!.keyHash = 'md5:0123';
    invalid.keys = invalid.keys.filter((key) => key.id !== 'added'); // would remove a key if applied
    const line = await gateway.reload(invalid);
    expect(line).toContain('"level":"error","msg":"config reload refused"');
    expect(line).toContain('keys[0].keyHash must be');
    expect(line).toContain('The config in force stays.');

    const notJson = await gateway.reload('{ "keys": [');
    expect(notJson).toContain('is not valid JSON');

    // A typo must not silently drop a limit: the file is refused, naming the field.
    const typo = structuredClone(gateway.config);
    Object.assign(typo.keys[0]!, { maxSesions: 1 });
    const typoLine = await gateway.reload(typo);
    expect(typoLine).toContain('"level":"error","msg":"config reload refused"');
    expect(typoLine).toContain('keys[0].maxSesions is not a known field.');

    expect((await selectThroughTunnel(tunnel, 'select 16')).stdout.trim()).toBe('16');
    const addedTunnel = await tunnelWith(added);
    expect((await selectThroughTunnel(addedTunnel, 'select 17')).stdout.trim()).toBe('17');
    const metrics = await gateway.metrics();
    expect(metrics['pg_tunnel_gateway_config_reloads_total{result="refused"}']).toBe(3);
    expect(metrics['pg_tunnel_gateway_config_reloads_total{result="applied"}']).toBe(4);
  });
  it('warm sockets held for a removed or a changed key are closed: no client is served on one with what the key was', async () => {
    const removedKey = newApiKey();
    const changedKey = newApiKey();
    await gateway.reload(
      nextConfig((config) =>
        config.keys.push(
          keyToPostgres('warm-removed', removedKey),
          keyToPostgres('warm-changed', changedKey),
        ),
      ),
    );
    const before = await warmOpen();
    const removedTunnel = await tunnelWith(removedKey);
    const changedTunnel = await tunnelWith(changedKey);
    await until(
      async () => ((await warmOpen()) === before + 2 ? true : undefined),
      'two warm sockets',
    );

    await gateway.reload(
      nextConfig((config) => {
        config.keys = config.keys.filter((key) => key.id !== 'warm-removed');
        const changed = config.keys.find((key) => key.id === 'warm-changed')!;
        changed.passwordEnv = undefined;
        changed.upstream = upstreamUrl(postgres).replace('@', ':a-wrong-password@');
      }),
    );
    // The removed key's tunnel is refused when it dials again and keeps none; the changed key's
    // holds a new one, for the key's new entry.
    await until(
      async () => ((await warmOpen()) === before + 1 ? true : undefined),
      'one warm socket again',
    );
    const removed = await selectThroughTunnel(removedTunnel, 'select 1');
    expect(removed.stderr).toContain('FATAL:  API key is invalid');
    const changed = await selectThroughTunnel(changedTunnel, 'select 1');
    expect(changed.stderr).toContain('FATAL:  the gateway could not log in to the database');
    expect(gateway.process.output).toMatch(
      /"msg":"warm socket closed".*"reason":"its API key was removed or changed"/,
    );
  });
});
