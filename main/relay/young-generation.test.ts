import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('./young-generation.ts', import.meta.url));

/**
 * A fresh Node process allocating 2 million short-lived objects, as a burst of logins does: the
 * capacity of its new space before and after (bytes, from v8.getHeapSpaceStatistics), having
 * called keepYoungGenerationSmall first or not. A process of its own, because the test runner's
 * own new space has long since grown.
 */
async function newSpaceAcrossABurst(
  keepSmall: boolean,
): Promise<{ before: number; after: number }> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { keepYoungGenerationSmall } from ${JSON.stringify(MODULE)};
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    ${keepSmall ? 'keepYoungGenerationSmall();' : ''}
    const before = newSpace();
    let kept = [];
    for (let i = 0; i < 2e6; i++) {
      kept.push({ i, text: 'row ' + i });
      if (kept.length > 20000) kept = [];
    }
    console.log(JSON.stringify({ before, after: newSpace() }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    '--input-type=module',
    '--eval',
    script,
  ]);
  return JSON.parse(stdout) as { before: number; after: number };
}

it('keeps the new space at its starting size through a burst of allocations, which otherwise grows it', async () => {
  const untouched = await newSpaceAcrossABurst(false);
  expect(untouched.after).toBeGreaterThan(untouched.before);
  const kept = await newSpaceAcrossABurst(true);
  expect(kept.after).toBe(kept.before);
});
