import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A database directory the playground does not use, kept as it was. */
export interface KeptDatabase {
  /** Absolute path of the data directory. */
  path: string;
  /** The Postgres major version that made it (its PG_VERSION file). */
  major: number;
}

/**
 * The name of the playground's database directory for a Postgres major version. One directory per
 * major: a newer Postgres cannot open an older one's data, so an upgrade makes a new directory
 * and keeps the old one where it was.
 */
export function databaseDirName(major: number): string {
  return `postgres-${major}`;
}

/**
 * The name earlier versions of PG Tunnel (Postgres 15, its password in the keychain) gave the database
 * directory.
 */
export const LEGACY_DATABASE_DIR = 'postgres';

/**
 * The major version of the Postgres that initialised `dataDir`, from its PG_VERSION file (written
 * by initdb; "15", "18"… since Postgres 10; docs: "Database File Layout").
 *
 * @returns undefined when there is no such file (no database there yet, or not a data directory).
 */
export async function databaseMajor(dataDir: string): Promise<number | undefined> {
  try {
    const major = Number.parseInt(await readFile(join(dataDir, 'PG_VERSION'), 'utf8'), 10);
    return Number.isNaN(major) ? undefined : major;
  } catch {
    return undefined;
  }
}

/**
 * Every database directory in the playground directory other than `current`: those of earlier
 * Postgres versions, and any that an earlier version set aside as `postgres.unreadable-<date>`.
 */
export async function keptDatabases(dir: string, current: string): Promise<KeptDatabase[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const kept: KeptDatabase[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && entry.name !== current) {
      const major = await databaseMajor(join(dir, entry.name));
      if (major !== undefined) {
        kept.push({ path: join(dir, entry.name), major });
      }
    }
  }
  return kept.sort((a, b) => a.path.localeCompare(b.path));
}
