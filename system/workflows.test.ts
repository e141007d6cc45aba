import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../main/testing/child-process.js';

/**
 * The GitHub Actions workflows are checked against the workflow schema by action-validator (the
 * registry's @action-validator/cli, WebAssembly, offline), so that they cannot rot on machines
 * where no workflow ever runs.
 */
const WORKFLOWS = fileURLToPath(new URL('../.github/workflows/', import.meta.url));
const CLI = createRequire(import.meta.url).resolve('@action-validator/cli/cli.mjs');

const validate = (file: string) => run(process.execPath, [CLI, file]);

describe('the CI workflows', () => {
  it('each validates against the workflow schema', async () => {
    const files = (await readdir(WORKFLOWS)).filter((f) => /\.ya?ml$/.test(f));
    expect(files).toContain('desktop.yml');
    for (const file of files) {
      const result = await validate(join(WORKFLOWS, file));
      expect(result.stderr, file).toBe('');
      expect(result.code, file).toBe(0);
    }
  });

  it('the validator catches a misspelt key, so a pass means something', async () => {
    const broken = (await readFile(join(WORKFLOWS, 'desktop.yml'), 'utf8')).replace(
      'runs-on: ${{ matrix.os }}',
      'run-on: ${{ matrix.os }}',
    );
    const file = join(await mkdtemp(join(tmpdir(), 'workflow-')), 'broken.yml');
    await writeFile(file, broken);
    const result = await validate(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run-on');
  });

  it('the desktop workflow runs on macOS, Windows and Linux with Node 24, and never publishes', async () => {
    const text = await readFile(join(WORKFLOWS, 'desktop.yml'), 'utf8');
    expect(text).toContain('os: [macos-latest, windows-latest, ubuntu-24.04]');
    expect(text).toContain('node-version: 24');
    expect(text).toContain('electron-builder --publish never');
    expect(text).toContain('run: .ci/run');
  });
});
