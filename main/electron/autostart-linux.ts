import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The file name desktops look for in ~/.config/autostart (XDG Autostart specification). */
export const AUTOSTART_FILE = 'pg-tunnel.desktop';

/** `$XDG_CONFIG_HOME/autostart`, where freedesktop.org desktops find programs to start at login. */
export function autostartDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'autostart');
}

/**
 * The desktop entry that starts the app at login. Exec arguments are quoted by the rules of the
 * Desktop Entry specification, so paths with spaces or quotes survive.
 */
export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=PG Tunnel',
    'Comment=Local Postgres ports that lead to remote databases',
    `Exec=${command.map(quoteExecArgument).join(' ')}`,
    'Icon=pg-tunnel',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the autostart entry. */
export async function setLinuxAutostart(
  enabled: boolean,
  command: string[],
  dir = autostartDir(),
): Promise<void> {
  const file = join(dir, AUTOSTART_FILE);
  if (enabled) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, autostartEntry(command));
  } else {
    await rm(file, { force: true });
  }
}

/** The autostart entry's text, or undefined when there is none. */
export async function readAutostartEntry(dir = autostartDir()): Promise<string | undefined> {
  try {
    return await readFile(join(dir, AUTOSTART_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/**
 * Whether the desktop starts an autostart entry: not when it says `Hidden=true` (XDG Autostart
 * specification: "treat as deleted") or `X-GNOME-Autostart-enabled=false` (what GNOME's and
 * XFCE's startup settings write when the user turns an entry off).
 */
export function autostartEntryEnabled(entry: string): boolean {
  const value = (key: string): string | undefined =>
    new RegExp(`^${key}\\s*=\\s*(.*?)\\s*$`, 'm').exec(entry)?.[1];
  return value('Hidden') !== 'true' && value('X-GNOME-Autostart-enabled') !== 'false';
}

/** https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html */
function quoteExecArgument(argument: string): string {
  if (!/[\s"'\\><~|&;$*?#()`%]/.test(argument)) {
    return argument;
  }
  // Inside double quotes, ", `, $ and \ take a backslash; then the value-level escape doubles
  // every backslash again, because the whole key value is itself a string with escapes.
  const quoted = `"${argument.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
}
