import { constants, existsSync, statSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, parse as parsePath } from 'node:path';

/** True when this process runs as root: Postgres refuses to, so it runs as the user "postgres". */
export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * The playground's own directory: its databases, one directory each, and its credentials file.
 * Under the config directory, except when running as root with a config directory other users
 * cannot traverse (root's own home, typically): Postgres then runs as the user "postgres", which
 * needs a place it can reach.
 *
 * @param configDir the configuration directory (`defaultConfigDir()` or `--config-dir`).
 * @returns an absolute path; nothing is created.
 */
export function playgroundDir(configDir: string): string {
  const inConfigDir = join(configDir, 'playground');
  if (!runsAsRoot() || traversableByOthers(configDir)) {
    return inConfigDir;
  }
  const id = createHash('sha256').update(configDir).digest('hex').slice(0, 12);
  return join('/var/lib/pg-tunnel', `playground-${id}`);
}

/**
 * Creates the playground directory if needed and makes it its owner's alone (0700): it holds the
 * credentials file. As root, others may pass through (0711) so that the user "postgres" reaches
 * its data directory inside, but still not list it. A directory someone else owns is left as it is.
 *
 * @throws the file system's error when the directory cannot be created.
 */
export async function preparePlaygroundDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { uid, mode } = await stat(dir);
  const wanted = runsAsRoot() ? 0o711 : 0o700;
  if (uid === process.getuid?.() && (mode & 0o777) !== wanted) {
    await chmod(dir, wanted);
  }
}

/** True when every directory from the root down to `dir` (those that exist) lets others pass. */
function traversableByOthers(dir: string): boolean {
  const { root } = parsePath(dir);
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(current)) {
      try {
        const mode = statSync(current).mode;
        if ((mode & constants.S_IXOTH) === 0) {
          return false;
        }
      } catch {
        return false;
      }
    }
    if (current === root) {
      return true;
    }
  }
}
