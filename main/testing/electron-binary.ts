import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The Electron binary, when this machine has one: ELECTRON_PATH, else the one the electron package
 * downloaded; otherwise why there is none, as a sentence. The package's own install script, which
 * downloads the binary from outside the npm registry, is not allowed to run here (`allowScripts`
 * in package.json; `npm start` fetches it through scripts/ensure-electron.mjs): that case is said
 * as a choice, not as the package's "Electron failed to install correctly".
 */
export function electronBinary(): { path: string } | { why: string } {
  const fromEnv = process.env['ELECTRON_PATH'];
  if (fromEnv) {
    return existsSync(fromEnv)
      ? { path: fromEnv }
      : { why: `ELECTRON_PATH=${fromEnv} does not exist` };
  }
  try {
    const path = createRequire(import.meta.url)('electron') as string;
    return existsSync(path)
      ? { path }
      : { why: `the electron package points at ${path}, which does not exist` };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    // electron/index.js says this when its install script never wrote path.txt.
    return /failed to install correctly/.test(message)
      ? {
          why: 'skipped on purpose: the Electron binary is not downloaded by npm ci here (package.json allowScripts keeps the electron package from running its download); `npm start` fetches it, or set ELECTRON_PATH',
        }
      : { why: `the electron package has no binary (${message})` };
  }
}
