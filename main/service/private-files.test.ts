import { chmod, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../../e2e/fixtures/ui-server.js';
import { savedProfile } from '../testing/app-core.js';
import { startTunnelCli } from '../testing/cli.js';

/** The permission bits of `path` that let other users read or write it (0 when none). */
async function openToOthers(path: string): Promise<number> {
  return (await stat(path)).mode & 0o066;
}

describe('the config folder is its owner’s alone', () => {
  let ui: UiServer | undefined;
  afterEach(async () => {
    await ui?.stop();
    ui = undefined;
  });

  it('a folder an older version left 0755 with 0644 files is made owner-only at start, and said once', async () => {
    ui = await startUiServer({
      profiles: [savedProfile('old', { name: 'Old' })],
      prepare: async (configDir) => {
        await writeFile(join(configDir, 'notes.txt'), 'left by an older version\n');
        await chmod(join(configDir, 'notes.txt'), 0o644);
        await chmod(join(configDir, 'profiles.json'), 0o644);
        await chmod(configDir, 0o755);
      },
    });
    for (const path of [
      ui.configDir,
      ...['profiles.json', 'notes.txt'].map((f) => join(ui!.configDir, f)),
    ]) {
      expect(await openToOthers(path), path).toBe(0);
    }
    expect((await stat(join(ui.configDir, 'profiles.json'))).mode & 0o777).toBe(0o600);
    const notice = `Made the config folder ${ui.configDir} readable by its owner only`;
    expect(ui.process.output.split(notice).length - 1).toBe(1);

    // A profile saved now, and a second start, keep it so, and say nothing more.
    await ui.rpc('addProfile', {
      name: 'New',
      gatewayUrl: 'ws://127.0.0.1:9/websocket',
      apiKey: 'a-key-0123456789abcdef',
    });
    expect((await stat(join(ui.configDir, 'profiles.json'))).mode & 0o777).toBe(0o600);
    await ui.restart();
    expect(ui.process.output).not.toContain(notice);
  });

  it('pg-tunnel makes the folder it keeps its local CA in owner-only too', async () => {
    const configDir = join(await mkdtemp(join(tmpdir(), 'pg-tunnel-home-')), 'pg-tunnel');
    const tunnel = await startTunnelCli('ws://127.0.0.1:9/websocket', 'a-key-0123456789abcdef', [
      '--config-dir',
      configDir,
    ]);
    await tunnel.process.stop();
    expect(await openToOthers(configDir)).toBe(0);
    expect(await openToOthers(join(configDir, 'tls'))).toBe(0);
  });
});
