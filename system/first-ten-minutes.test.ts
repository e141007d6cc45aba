import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { newConfigDir } from '../main/testing/app-core.js';
import { run } from '../main/testing/child-process.js';
import { CLI_PATH, startCli } from '../main/testing/cli.js';
import { startGatewayProcess } from '../main/testing/gateway.js';
import { psqlWithDefaults } from '../main/testing/psql.js';

const postgres = inject('postgres');
/** No Secret Service, as on a fresh server: nothing on this path needs one. */
const FRESH_MACHINE = {
  DBUS_SESSION_BUS_ADDRESS: undefined,
  PDP_API_KEY: undefined,
  DATABASE_URL: undefined,
};
/** A first playground start runs initdb; the machine is shared and slow. */
const START_MS = 90_000;

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [CLI_PATH, ...args], { ...FRESH_MACHINE, ...env }, { timeoutMs: 30_000 });

describe("a newcomer's first ten minutes, from a fresh config directory", () => {
  it('--version; the playground, where its data is and how to stop it; psql with no -U or -d; a wrong key said at start; pg-tunnel ui twice at the same URL', async () => {
    const configDir = await newConfigDir();
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `pg-tunnel ${version}\n` });

    const playground = startCli(['playground', '--config-dir', configDir], FRESH_MACHINE);
    try {
      const [, port] = await playground.waitFor(/port:\s+(\d+)/, START_MS);
      await playground.waitFor(/Stop it with Ctrl\+C\./);
      expect(playground.stdout).toContain(
        `Its data is kept in ${join(configDir, 'playground')}, from one start to the next. Stop it with Ctrl+C.`,
      );
      // The README's command: libpq's defaults, nothing on standard error.
      expect(await psqlWithDefaults('127.0.0.1', Number(port), ['-c', 'select 42'])).toMatchObject({
        code: 0,
        stdout: '42\n',
        stderr: '',
      });
    } finally {
      await playground.stop('SIGINT');
    }

    // A key the gateway does not know: said at once, before any client, and the tunnel ends.
    const gateway = await startGatewayProcess(postgres);
    try {
      const tunnel = await cli(['--gateway', gateway.wsUrl], {
        PDP_API_KEY: 'a-key-the-gateway-never-saw',
      });
      expect(tunnel.code).toBe(1);
      expect(tunnel.stderr).toMatch(/^❌ API key is invalid: the tunnel gateway refused it/);
    } finally {
      await gateway.process.stop();
    }

    // The window's URL, bookmarked, works after a restart: same port, same token, kept owner-only.
    const urls: string[] = [];
    for (let start = 0; start < 2; start++) {
      const ui = startCli(['ui', '--config-dir', configDir], FRESH_MACHINE);
      try {
        const [url] = await ui.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/, 30_000);
        await ui.waitFor(/Stop it with Ctrl\+C\./);
        const page = await fetch(url);
        expect(page.status).toBe(200);
        urls.push(url);
      } finally {
        await ui.stop('SIGINT');
      }
    }
    expect(urls[1]).toBe(urls[0]);
    expect((await stat(join(configDir, 'ui.json'))).mode & 0o777).toBe(0o600);
  }, 300_000);
});
