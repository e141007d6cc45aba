import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Terminals tried on Linux, in order: Debian's and Ubuntu's alternative (the desktop's chosen
 * terminal), then the common ones, each with the flag after which it runs a command.
 */
const LINUX_TERMINALS: ReadonlyArray<{ program: string; run: string[] }> = [
  { program: 'x-terminal-emulator', run: ['-e'] },
  { program: 'gnome-terminal', run: ['--'] },
  { program: 'konsole', run: ['-e'] },
  { program: 'xfce4-terminal', run: ['-x'] },
  { program: 'xterm', run: ['-e'] },
];

/** URLs from connectionDetails: nothing a shell or AppleScript string would read as syntax. */
const SAFE_URL = /^postgres(?:ql)?:\/\/[A-Za-z0-9%@:/?=&._~+-]+$/;

/** A program and its arguments. */
export interface Command {
  program: string;
  args: string[];
  /** Windows: the arguments are passed as written (cmd.exe's own quoting). */
  verbatim?: boolean;
}

/**
 * How to open a terminal running `psql URL` on `platform`, as Postgres.app and Teleport Connect
 * offer: macOS Terminal through AppleScript; a new cmd.exe window on Windows; on Linux the first
 * terminal of LINUX_TERMINALS that `isProgram` finds. The URL holds no password: the tunnel logs
 * in (or psql asks).
 *
 * @throws Error with a sentence when `url` is not a plain Postgres URL or no terminal is found.
 */
export function psqlTerminalCommand(
  platform: NodeJS.Platform,
  url: string,
  isProgram: (name: string) => boolean,
): Command {
  if (!SAFE_URL.test(url)) {
    throw new Error('Only a plain postgres:// URL can be opened in psql.');
  }
  switch (platform) {
    case 'darwin':
      return {
        program: 'osascript',
        args: [
          '-e',
          `tell application "Terminal" to do script "psql '${url}'"`,
          '-e',
          'tell application "Terminal" to activate',
        ],
      };
    case 'win32':
      // `start` opens a new console window; the empty title is start's first quoted argument.
      return {
        program: 'cmd.exe',
        args: ['/d', '/c', 'start', '""', 'cmd.exe', '/k', 'psql', `"${url}"`],
        verbatim: true,
      };
    default: {
      const terminal = LINUX_TERMINALS.find((t) => isProgram(t.program));
      if (!terminal) {
        throw new Error(
          `No terminal program was found (${LINUX_TERMINALS.map((t) => t.program).join(', ')}): copy the psql command from the window instead.`,
        );
      }
      return { program: terminal.program, args: [...terminal.run, 'psql', url] };
    }
  }
}

/** Whether `name` is an executable file in a folder of PATH. */
export function onPath(name: string, path = process.env['PATH'] ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return dir !== '';
    } catch {
      return false;
    }
  });
}

/**
 * Opens a terminal running psql on `url` (psqlTerminalCommand), detached from the app.
 *
 * @throws Error with a sentence as psqlTerminalCommand does, or when the terminal cannot start.
 */
export async function openPsqlTerminal(
  platform: NodeJS.Platform,
  url: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const command = psqlTerminalCommand(platform, url, (name) => onPath(name, env['PATH']));
  const child = spawn(command.program, command.args, {
    detached: true,
    stdio: 'ignore',
    env,
    windowsVerbatimArguments: command.verbatim ?? false,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new Error(`The terminal (${command.program}) could not start: ${error.message}`)),
    );
  });
  child.unref();
}
