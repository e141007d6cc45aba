import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../e2e/fixtures/ui-server.js';
import { startCaptureServer, type CaptureServer } from '../main/testing/capture-server.js';
import { startCli } from '../main/testing/cli.js';

const PASSWORD = 's3cret';
/** Postgres URLs with a typo in `scheme://`, each once taken for an API key. */
const TYPOS: Array<[string, string]> = [
  [`postgres//app:${PASSWORD}@127.0.0.1/shop`, 'postgres://app:****@127.0.0.1/shop'],
  [`postgresql:/app:${PASSWORD}@127.0.0.1/shop`, 'postgresql://app:****@127.0.0.1/shop'],
  [`postgres:\\\\app:${PASSWORD}@127.0.0.1/shop`, 'postgres://app:****@127.0.0.1/shop'],
];

let capture: CaptureServer;
beforeAll(async () => {
  capture = await startCaptureServer();
});
afterAll(async () => {
  await capture?.close();
});

/** Runs `pg-tunnel` with the capture server as its gateway; resolves with its exit and output. */
async function runTunnel(env: NodeJS.ProcessEnv, args: string[] = []) {
  const proc = startCli(['--gateway', capture.wsUrl, ...args], {
    PDP_API_KEY: undefined,
    DATABASE_URL: undefined,
    PGPASSWORD: undefined,
    ...env,
  });
  const code = await proc.exited;
  return { code, output: proc.output };
}

describe('a Postgres URL with a typo is refused, never sent as an API key', () => {
  it('pg-tunnel with it in PDP_API_KEY, DATABASE_URL or --url: the sentence, and nothing sent', async () => {
    for (const [typo, meant] of TYPOS) {
      for (const [source, env, args] of [
        ['PDP_API_KEY', { PDP_API_KEY: typo }, []],
        ['DATABASE_URL', { DATABASE_URL: typo }, []],
        ['--url', {}, ['--url', typo]],
      ] as const) {
        const { code, output } = await runTunnel(env, [...args]);
        expect(code, `${source}=${typo}`).not.toBe(0);
        expect(output).toContain(
          `${source}: this looks like a postgres:// URL with a typo — did you mean ${meant}?`,
        );
        expect(output).not.toContain(PASSWORD);
      }
    }
    expect(capture.connections).toBe(0);
    expect(capture.received()).toBe('');
  });

  describe('pg-tunnel ui', () => {
    let ui: UiServer;
    beforeAll(async () => {
      ui = await startUiServer();
    });
    afterAll(async () => {
      await ui?.stop();
    });

    it('addProfile with it as the API key: the sentence, no profile, and nothing sent', async () => {
      for (const [typo, meant] of TYPOS) {
        await expect(
          ui.rpc('addProfile', { name: 'Shop', gatewayUrl: capture.wsUrl, apiKey: typo }),
        ).rejects.toThrow(
          `The API key: this looks like a postgres:// URL with a typo — did you mean ${meant}?`,
        );
      }
      expect((await ui.rpc('getSnapshot')).profiles).toEqual([]);
      expect(capture.connections).toBe(0);
    });
  });
});
