import { constants, existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultConfigDir } from '../service/config-dir.js';

/** Where the tray app keeps its configuration, and where earlier versions kept it. */
export interface TrayConfigLocation {
  /**
   * `defaultConfigDir()`: the directory `pg-tunnel ui` and `pg-tunnel playground` use, so that all
   * three share one profile list and one playground. Electron's userData path is set to it.
   */
  configDir: string;
  /**
   * Electron's own userData folder (`<appData>/<app name>`), where earlier versions of the tray app
   * kept profiles.json and the playground; undefined when it is `configDir` itself.
   */
  legacyDir: string | undefined;
}

export interface TrayConfigInputs {
  /** Electron's `app.getPath('appData')`. */
  appData: string;
  /**
   * Electron's `app.getName()`: `productName` in packaged builds ("PG Tunnel", electron-builder.yml),
   * the package name ("pg-tunnel") when run from the source tree.
   */
  appName: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** Picks the tray app's configuration directory and the folder earlier versions used instead. */
export function trayConfigLocation({
  appData,
  appName,
  env = process.env,
  platform = process.platform,
}: TrayConfigInputs): TrayConfigLocation {
  const configDir = defaultConfigDir(env, platform);
  const legacyDir = join(appData, appName);
  return { configDir, legacyDir: legacyDir === configDir ? undefined : legacyDir };
}

/** What earlier versions kept in the userData folder that the app now reads from configDir. */
const MOVED_ENTRIES = ['profiles.json', 'playground'] as const;

export interface ConfigMove {
  from: string;
  to: string;
}

/**
 * Which entries to move from the old folder: each one found there whose place in `configDir` is
 * free. One already in `configDir` is never overwritten; the old one then stays where it is.
 *
 * @param exists whether a path exists (the file system, or a test's set).
 * @returns the moves, and the old entries that stay because `configDir` has its own.
 */
export function legacyConfigMoves(
  { configDir, legacyDir }: TrayConfigLocation,
  exists: (path: string) => boolean,
): { moves: ConfigMove[]; kept: string[] } {
  const moves: ConfigMove[] = [];
  const kept: string[] = [];
  for (const name of legacyDir === undefined ? [] : MOVED_ENTRIES) {
    const from = join(legacyDir!, name);
    const to = join(configDir, name);
    if (exists(from)) {
      if (exists(to)) {
        kept.push(from);
      } else {
        moves.push({ from, to });
      }
    }
  }
  return { moves, kept };
}

/**
 * Moves the tray app's configuration out of the old userData folder, once: after the move the old
 * folder has nothing left to move. A file is copied without overwriting and then removed; a
 * directory is renamed (which fails rather than replace a non-empty one).
 *
 * @returns one line per entry moved, kept, or left because the move failed, for the log.
 */
export async function moveLegacyConfig(location: TrayConfigLocation): Promise<string[]> {
  const { moves, kept } = legacyConfigMoves(location, existsSync);
  const lines = kept.map(
    (from) => `Kept ${from} where it is: ${location.configDir} has its own, which is used.`,
  );
  for (const { from, to } of moves) {
    try {
      await mkdir(location.configDir, { recursive: true });
      if (from.endsWith('.json')) {
        await copyFile(from, to, constants.COPYFILE_EXCL);
        await rm(from);
      } else {
        await rename(from, to);
      }
      lines.push(
        `Moved ${from} to ${to}, where pg-tunnel ui and pg-tunnel playground read it too.`,
      );
    } catch (error) {
      lines.push(
        `Could not move ${from} to ${to} (${(error as Error).message}); it stays where it is.`,
      );
    }
  }
  return lines;
}
