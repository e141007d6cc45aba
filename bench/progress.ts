import { formatDuration } from '../shared/format.js';

/**
 * What the benchmark is doing, on stderr (stdout is for the table). On a terminal the current step
 * is one line rewritten in place, with finished measurements printed above it; in a log file every
 * step and every measurement gets a line of its own.
 */
export class Progress {
  private readonly startedAt = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);
  private current = '';

  /** Time since the benchmark started. */
  elapsed(): string {
    return formatDuration(Date.now() - this.startedAt);
  }

  /** The step now running. */
  step(text: string): void {
    this.current = `[${this.elapsed()}] ${text}`;
    process.stderr.write(this.tty ? `\r\x1b[K${this.current}` : `${this.current}\n`);
  }

  /** A line to keep: a measurement, a warning. */
  log(text: string): void {
    process.stderr.write(this.tty ? `\r\x1b[K  ${text}\n${this.current}` : `  ${text}\n`);
  }

  /** Clears the step line before the report is printed. */
  finish(): void {
    if (this.tty) {
      process.stderr.write('\r\x1b[K');
    }
  }
}
