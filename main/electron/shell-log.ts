import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A log file is rotated once it passes this many bytes. */
export const LOG_MAX_BYTES = 1_000_000;
/** Rotated files kept beside the current one (pg-tunnel.1.log is the newest). */
export const LOG_KEPT = 3;
export const LOG_FILE = 'pg-tunnel.log';

/**
 * The tray app's log file, for support: a packaged app's console is read by no one. One line per
 * entry, `ISO-time level message`; rotated at LOG_MAX_BYTES, keeping LOG_KEPT older files. What is
 * written are the shell's and the tunnels' own sentences, which never carry a key or a password
 * (secrets never reach log entries, DESIGN.md); lines are written synchronously, so the last ones
 * before a crash are kept.
 */
export class ShellLog {
  readonly file: string;

  /** @param dir the folder, made owner-only if missing (`<config dir>/logs`). */
  constructor(
    readonly dir: string,
    private readonly maxBytes = LOG_MAX_BYTES,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, LOG_FILE);
  }

  info(message: string): void {
    this.write('info', message);
  }

  warn(message: string): void {
    this.write('warn', message);
  }

  error(message: string): void {
    this.write('error', message);
  }

  private write(level: string, message: string): void {
    const line = `${new Date().toISOString()} ${level} ${message.replace(/\n/g, '\n    ')}\n`;
    try {
      if (size(this.file) + line.length > this.maxBytes) {
        this.rotate();
      }
      appendFileSync(this.file, line, { mode: 0o600 });
    } catch (error) {
      console.error(`Could not write the log ${this.file}: ${String(error)}`);
    }
  }

  /** pg-tunnel.log → pg-tunnel.1.log → … → pg-tunnel.LOG_KEPT.log, the oldest dropped. */
  private rotate(): void {
    rmSync(this.rotated(LOG_KEPT), { force: true });
    for (let n = LOG_KEPT - 1; n >= 1; n--) {
      if (size(this.rotated(n)) > 0) {
        renameSync(this.rotated(n), this.rotated(n + 1));
      }
    }
    renameSync(this.file, this.rotated(1));
  }

  private rotated(n: number): string {
    return join(this.dir, LOG_FILE.replace(/\.log$/, `.${n}.log`));
  }
}

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
