import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

/** Electron backs the latest three stable majors with security fixes (electronjs.org/docs/latest/tutorial/electron-timelines). */
const SUPPORTED_MAJORS = 3;

/** Every Electron release and the Chromium it brings, from the registry package that tracks them. */
const releases = require('electron-to-chromium/full-versions.json') as Record<string, string>;

const major = (version: string): number => Number(version.split('.')[0]);

describe('the Electron the tray app is built on', () => {
  it('is one of the latest three stable majors, so its Chromium and Node still get security fixes', () => {
    const installed = (require('electron/package.json') as { version: string }).version;
    const newestStable = Math.max(
      ...Object.keys(releases)
        .filter((version) => !version.includes('-'))
        .map(major),
    );
    expect(major(installed)).toBeGreaterThan(newestStable - SUPPORTED_MAJORS);
  });

  it("is the one docs/desktop.md names, with that major's Chromium", async () => {
    const installed = (require('electron/package.json') as { version: string }).version;
    const chromium = Object.entries(releases)
      .filter(([version]) => major(version) === major(installed) && !version.includes('-'))
      .map(([, chrome]) => major(chrome));
    const page = await readFile(new URL('../docs/desktop.md', import.meta.url), 'utf8');
    expect(page).toContain(`Electron ${major(installed)}`);
    expect(page).toContain(`Chromium ${Math.max(...chromium)}`);
  });
});
