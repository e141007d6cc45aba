import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../main/testing/child-process.js';

const CHECK = fileURLToPath(new URL('./check-test-packages.mjs', import.meta.url));
const LIST = new URL('./test-packages.txt', import.meta.url);

/** The lines of scripts/test-packages.txt as [package, check], in its order. */
async function listedChecks(): Promise<Array<[string, string]>> {
  const text = await readFile(LIST, 'utf8');
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter((words): words is [string, string] => words.length === 2);
}

/** The packages scripts/test-packages.txt names, in its order, once each. */
async function listedPackages(): Promise<string[]> {
  return [...new Set((await listedChecks()).map(([name]) => name))];
}

describe('the check npm test starts with', () => {
  it('passes on this machine, which has every package', async () => {
    expect(await run(process.execPath, [CHECK])).toMatchObject({ code: 0, stderr: '' });
  });

  it('stops with the one apt-get line of what is missing', async () => {
    // Nothing on PATH; the browser named by the variable the end-to-end tests read is absent too.
    const emptyPath = await mkdtemp(join(tmpdir(), 'no-programs-'));
    const result = await run(process.execPath, [CHECK], {
      PATH: emptyPath,
      PG_TUNNEL_CHROMIUM: join(emptyPath, 'chromium'),
    });
    expect(result.code).toBe(1);
    // Packages checked by a file's absolute path (a font, programs in /usr/sbin) are still there.
    const byPath = new Set(
      (await listedChecks()).filter(([, check]) => check.startsWith('/')).map(([name]) => name),
    );
    const missing = (await listedPackages()).filter((name) => !byPath.has(name));
    const installLines = result.stderr.split('\n').filter((line) => /apt-get install/.test(line));
    expect(installLines).toEqual([
      `  apt-get install --no-install-recommends ${missing.join(' ')}`,
    ]);
    expect(result.stderr).toMatch(/^npm test needs programs that are not installed: psql, pgbench/);
  });

  it('.ci/run installs the same list: it reads that file and names no package of its own', async () => {
    const ci = await readFile(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(ci).toContain('scripts/test-packages.txt');
    for (const name of await listedPackages()) {
      expect(ci, name).not.toMatch(new RegExp(`(^|\\s)${name}(\\s|$)`, 'm'));
    }
  });
});
