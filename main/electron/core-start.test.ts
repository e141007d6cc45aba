import { describe, expect, it } from 'vitest';
import { CoreStart, type StartState } from './core-start.js';

describe('the core’s start', () => {
  it('runs one attempt at a time; commands wait for it; after a failure the next command tries again', async () => {
    let attempts = 0;
    let fail = true;
    const states: Array<StartState<string>['phase']> = [];
    const start = new CoreStart(
      async () => {
        attempts++;
        if (fail) {
          throw new Error('the profiles file is not valid JSON');
        }
        return 'core';
      },
      (state) => states.push(state.phase),
    );
    const [a, b] = await Promise.allSettled([start.core(), start.core()]);
    expect(attempts).toBe(1);
    expect(a).toMatchObject({
      status: 'rejected',
      reason: { message: 'The profiles file is not valid JSON.' },
    });
    expect(b).toEqual(a);
    expect(start.current).toEqual({
      phase: 'failed',
      message: 'The profiles file is not valid JSON.',
    });
    expect(await start.settled()).toBeUndefined(); // no retry

    fail = false;
    expect(await start.core()).toBe('core');
    expect(await start.core()).toBe('core');
    expect(attempts).toBe(2);
    expect(states).toEqual(['starting', 'failed', 'starting', 'running']);
  });
});
