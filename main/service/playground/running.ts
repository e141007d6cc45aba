import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { hostPort } from '../../../shared/connection-details.js';
import { writeOwnerOnly } from '../owner-only-file.js';

/**
 * Where the running playground is and who runs it, as that process announced it in the playground
 * directory: one playground per config directory, so the tray app, `pg-tunnel ui` and `pg-tunnel
 * playground` each see the one another of them runs.
 */
export interface RunningPlayground {
  /** The process running it. */
  pid: number;
  /** Which program that is, in words ("pg-tunnel playground", "the tray app"). */
  shell: string;
  /** The address its tunnel listens on. */
  host: string;
  port: number;
}

const runningSchema = z.object({
  pid: z.number().int().positive(),
  shell: z.string().min(1).max(200),
  host: z.string().min(1).max(300),
  port: z.number().int().min(1).max(65535),
});

const FILE_NAME = 'running.json';

/**
 * Says, in the playground directory `dir`, that this process runs the playground at `host:port`
 * (mode 0600, written in one step). Returns the function that takes it back when it stops.
 */
export async function announceRunning(
  dir: string,
  running: Omit<RunningPlayground, 'pid'>,
): Promise<() => Promise<void>> {
  const file = join(dir, FILE_NAME);
  const ours: RunningPlayground = { pid: process.pid, ...running };
  await writeOwnerOnly(file, `${JSON.stringify(ours)}\n`);
  return async () => {
    // Only our own: another process may have announced itself since (after we stopped listening).
    if ((await readAnnounced(file))?.pid === process.pid) {
      await rm(file, { force: true });
    }
  };
}

/**
 * The playground another process runs on the playground directory `dir`, or undefined when none
 * does: no announcement, this process's own, or one whose process is gone (it crashed and left
 * the file behind).
 */
export async function runningElsewhere(dir: string): Promise<RunningPlayground | undefined> {
  const announced = await readAnnounced(join(dir, FILE_NAME));
  if (!announced || announced.pid === process.pid || !isAlive(announced.pid)) {
    return undefined;
  }
  return announced;
}

/** Who runs it: "pg-tunnel playground (pid 4242)". */
export function runnerOf({ shell, pid }: RunningPlayground): string {
  return `${shell} (pid ${pid})`;
}

/** "pg-tunnel playground (pid 4242) on 127.0.0.1:5432", as the sentences about it say. */
export function describeRunning(running: RunningPlayground): string {
  return `${runnerOf(running)} on ${hostPort(running.host, running.port)}`;
}

async function readAnnounced(file: string): Promise<RunningPlayground | undefined> {
  try {
    const parsed = runningSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // None, or half a file from another version: nothing announced.
    return undefined;
  }
}

/** Signal 0 tests that the process exists; EPERM: it does, under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
