import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runsAsRoot } from './playground/location.js';

/** The config folder: its owner's alone. */
const PRIVATE_DIR_MODE = 0o700;
/**
 * As root, a config folder others could pass through stays passable (but not listable): the
 * playground's Postgres runs as the user "postgres" and reaches its data inside (see playgroundDir).
 */
const ROOT_PASSABLE_DIR_MODE = 0o711;
/** Every file directly in it: profiles.json holds every gateway URL and database address. */
const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the config folder if needed and makes it and the files directly in it owner-only,
 * correcting what an earlier version left readable to others (a 0755 folder, a 0644
 * profiles.json). Its subfolders keep the modes their owners set (tls/ and playground/ are
 * owner-only themselves; the playground's database files belong to Postgres). Files and folders
 * owned by another user are left as they are.
 *
 * Says what it corrected to `log` in one line; nothing when all was private already.
 * Synchronous, like conf's own file access: the shells build the core in one turn.
 *
 * @throws the file system's error when the folder cannot be created or read.
 */
export function makeConfigDirPrivate(configDir: string, log: (line: string) => void): void {
  mkdirSync(configDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const changed: string[] = [];
  const uid = process.getuid?.();
  const restrict = (path: string, wanted: number): void => {
    const { mode, uid: owner } = statSync(path);
    if (owner === uid && (mode & 0o777) !== wanted) {
      chmodSync(path, wanted);
      changed.push(path);
    }
  };
  const { mode } = statSync(configDir);
  const passable = runsAsRoot() && (mode & 0o001) !== 0;
  restrict(configDir, passable ? ROOT_PASSABLE_DIR_MODE : PRIVATE_DIR_MODE);
  for (const entry of readdirSync(configDir, { withFileTypes: true })) {
    if (entry.isFile()) {
      restrict(join(configDir, entry.name), PRIVATE_FILE_MODE);
    }
  }
  if (changed.length > 0) {
    log(
      `Made the config folder ${configDir} readable by its owner only (it was readable by other users): ${changed.length} ${changed.length === 1 ? 'entry' : 'entries'} corrected.`,
    );
  }
}
