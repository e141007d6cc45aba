import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultConfigDir } from '../service/config-dir.js';
import { moveLegacyConfig, trayConfigLocation } from './config-location.js';

/** The name packaged builds carry, which Electron names its userData folder after. */
async function productName(): Promise<string> {
  const config = parse(
    await readFile(new URL('../../electron-builder.yml', import.meta.url), 'utf8'),
  ) as { productName: string };
  return config.productName;
}

describe("the tray app's configuration directory", () => {
  // Electron's appData on each platform, and the environment defaultConfigDir reads.
  const platforms: Array<[NodeJS.Platform, string, NodeJS.ProcessEnv]> = [
    ['linux', '/home/ada/.config', { XDG_CONFIG_HOME: '/home/ada/.config' }],
    ['darwin', join(process.env['HOME'] ?? '', 'Library', 'Application Support'), {}],
    ['win32', 'C:/Users/ada/AppData/Roaming', { APPDATA: 'C:/Users/ada/AppData/Roaming' }],
  ];

  it.each(platforms)(
    'on %s, a packaged build uses the directory of pg-tunnel ui, not the one named after productName',
    async (platform, appData, env) => {
      const appName = await productName();
      expect(appName).toBe('PG Tunnel');
      const location = trayConfigLocation({ appData, appName, env, platform });
      expect(location.configDir).toBe(defaultConfigDir(env, platform)); // what `pg-tunnel ui` uses
      expect(location.legacyDir).toBe(join(appData, 'PG Tunnel'));
      // Run from the source tree, Electron's own folder is that same directory: nothing to move.
      const fromSource = trayConfigLocation({ appData, appName: 'pg-tunnel', env, platform });
      expect(fromSource).toEqual({ configDir: location.configDir, legacyDir: undefined });
    },
  );

  it('moves the old profiles file and playground over once, and never overwrites', async () => {
    const appData = await mkdtemp(join(tmpdir(), 'pg-tunnel-appdata-'));
    const env = { XDG_CONFIG_HOME: appData };
    const location = trayConfigLocation({ appData, appName: 'PG Tunnel', env, platform: 'linux' });
    const old = location.legacyDir!;
    await mkdir(join(old, 'playground', 'postgres'), { recursive: true });
    await writeFile(join(old, 'playground', 'postgres', 'PG_VERSION'), '15\n');
    const profiles = '{"profiles":[{"id":"p1","name":"Staging"}],"settings":{}}';
    await writeFile(join(old, 'profiles.json'), profiles);

    const lines = await moveLegacyConfig(location);
    expect(lines).toEqual([
      `Moved ${join(old, 'profiles.json')} to ${join(location.configDir, 'profiles.json')}, where pg-tunnel ui and pg-tunnel playground read it too.`,
      `Moved ${join(old, 'playground')} to ${join(location.configDir, 'playground')}, where pg-tunnel ui and pg-tunnel playground read it too.`,
    ]);
    expect(await readFile(join(location.configDir, 'profiles.json'), 'utf8')).toBe(profiles);
    expect(
      await readFile(join(location.configDir, 'playground', 'postgres', 'PG_VERSION'), 'utf8'),
    ).toBe('15\n');
    expect(existsSync(join(old, 'profiles.json'))).toBe(false);
    expect(await moveLegacyConfig(location)).toEqual([]); // once

    // An old file appearing again (an old build ran) never replaces the one in use.
    await writeFile(join(old, 'profiles.json'), '{"profiles":[]}');
    expect(await moveLegacyConfig(location)).toEqual([
      `Kept ${join(old, 'profiles.json')} where it is: ${location.configDir} has its own, which is used.`,
    ]);
    expect(await readFile(join(location.configDir, 'profiles.json'), 'utf8')).toBe(profiles);
    expect(await readFile(join(old, 'profiles.json'), 'utf8')).toBe('{"profiles":[]}');
  });
});
