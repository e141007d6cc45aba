import { spawn, type ChildProcess } from 'node:child_process';

/** A process started by a test, with everything it printed so far. */
export class RunningProcess {
  stdout = '';
  stderr = '';
  /**
   * Resolves with the exit code once the process has exited and everything it printed has been
   * read ('close', not 'exit': on a busy machine 'exit' may come before the last of its output).
   */
  readonly exited: Promise<number | null>;
  private readonly waiters: Array<() => void> = [];

  /**
   * @param group the child leads a process group of its own, and stop() signals the whole group:
   *   for wrapper scripts (scripts/with-keychain.sh) that do not pass signals on.
   */
  constructor(
    readonly child: ChildProcess,
    private readonly group = false,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.append('stdout', text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => this.append('stderr', text));
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
    void this.exited.then(() => this.notify());
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) {
        return match;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`process exited before printing ${pattern}; output:\n${this.output}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${this.output}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** SIGTERM, then SIGKILL if it lingers; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.signal(signal);
      const timer = setTimeout(() => this.signal('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.group && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        // the group is gone already
      }
    } else {
      this.child.kill(signal);
    }
  }

  private append(stream: 'stdout' | 'stderr', text: string): void {
    this[stream] += text;
    this.notify();
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) {
      wake();
    }
  }
}

/** `group`: see RunningProcess. */
export function start(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
  { group = false }: { group?: boolean } = {},
): RunningProcess {
  return new RunningProcess(
    spawn(command, args, {
      env: { ...process.env, ...env },
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: group,
    }),
    group,
  );
}

/** Runs a command to its end. */
export async function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { timeoutMs?: number; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = start(command, args, env);
  proc.child.stdin?.end(options.input ?? '');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, stdout: proc.stdout, stderr: proc.stderr };
}
