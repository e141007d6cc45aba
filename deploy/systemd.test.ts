import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { longestDrainMs } from '../main/gateway/server.js';
import { hashApiKey } from '../main/gateway/keys.js';
import { run, start } from '../main/testing/child-process.js';
import { startTunnelCli } from '../main/testing/cli.js';
import { REPOSITORY_ROOT } from '../main/testing/containerfile.js';
import { newApiKey, upstreamUrl } from '../main/testing/gateway.js';
import { freePort } from '../main/testing/ports.js';
import { psql } from '../main/testing/psql.js';

const UNIT_PATH = fileURLToPath(new URL('pg-tunnel-gateway.service', import.meta.url));
const text = await readFile(UNIT_PATH, 'utf8');

/** The unit's settings, section → key → values (a key may be given more than once). */
function parseUnit(unit: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const line of unit.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    const setting = /^(\w+)=(.*)$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1]!, section);
    } else if (setting && section) {
      section.set(setting[1]!, [...(section.get(setting[1]!) ?? []), setting[2]!]);
    }
  }
  return sections;
}

const service = parseUnit(text).get('Service')!;
const setting = (key: string): string | undefined => service.get(key)?.at(-1);

describe('deploy/pg-tunnel-gateway.service', () => {
  it('passes systemd-analyze verify without a word', async () => {
    const result = await run('systemd-analyze', ['verify', UNIT_PATH]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('reloads with SIGHUP, stops with SIGTERM, and waits longer than the longest drain', () => {
    expect(setting('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(setting('KillSignal')).toBe('SIGTERM');
    const drainSeconds = Number(/--drain-timeout (\d+)/.exec(setting('ExecStart') ?? '')?.[1]);
    const timeoutStopSeconds = Number(setting('TimeoutStopSec'));
    expect(timeoutStopSeconds * 1000).toBeGreaterThan(longestDrainMs(drainSeconds * 1000));
  });

  it('runs hardened: its own unprivileged user, no capabilities, a read-only system', () => {
    expect(setting('DynamicUser')).toBe('yes');
    expect(setting('NoNewPrivileges')).toBe('yes');
    expect(setting('CapabilityBoundingSet')).toBe('');
    expect(setting('ProtectSystem')).toBe('strict');
    expect(setting('ProtectHome')).toBe('yes');
    expect(setting('PrivateTmp')).toBe('yes');
    expect(setting('RestrictAddressFamilies')).toBe('AF_INET AF_INET6 AF_UNIX');
    expect(setting('SystemCallFilter')).toBe('@system-service');
    // V8 compiles to memory it writes and then runs: this one would stop Node.
    expect(setting('MemoryDenyWriteExecute')).toBeUndefined();
  });

  it('its ExecStart serves tunnels (passwords from the environment), and its ExecReload reloads', async () => {
    const postgres = inject('postgres');
    const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-unit-'));
    const apiKey = newApiKey();
    const configPath = join(dir, 'gateway.json');
    const port = await freePort();
    const config = {
      listen: { host: '127.0.0.1', port },
      keys: [
        {
          id: 'unit',
          keyHash: hashApiKey(apiKey),
          upstream: upstreamUrl(postgres),
          passwordEnv: 'UNIT_DB_PASSWORD',
        },
      ],
    };
    await writeFile(configPath, JSON.stringify(config));
    // The installed paths, on this machine: the built repository, the test's config and env file.
    const [command, ...args] = setting('ExecStart')!
      .replace('/opt/pg-tunnel/', REPOSITORY_ROOT)
      .replace('/etc/pg-tunnel/gateway.json', configPath)
      .split(' ');
    expect(setting('EnvironmentFile')).toBe('/etc/pg-tunnel/gateway.env');
    const gateway = start(command === 'node' ? process.execPath : command!, args, {
      UNIT_DB_PASSWORD: postgres.password,
    });
    const tunnel = await (async () => {
      await gateway.waitFor(/"msg":"gateway listening"/);
      return startTunnelCli(`ws://127.0.0.1:${port}/websocket`, apiKey);
    })();
    try {
      expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 31'])).stdout.trim()).toBe('31');
      config.keys.push({ ...config.keys[0]!, id: 'second', keyHash: hashApiKey(newApiKey()) });
      await writeFile(configPath, JSON.stringify(config));
      const reload = setting('ExecReload')!.replace('$MAINPID', String(gateway.child.pid));
      expect((await run('sh', ['-c', reload])).code).toBe(0);
      await gateway.waitFor(/"msg":"config reloaded","keys":2,"added":"second"/);
      gateway.child.kill(setting('KillSignal') as NodeJS.Signals);
      expect(await gateway.exited).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
      await tunnel.process.stop();
    }
  });
});
