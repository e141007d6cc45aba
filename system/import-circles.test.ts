import madge from 'madge';
import { describe, expect, it } from 'vitest';

describe('imports', () => {
  it('form no circle, type-only imports included, in main/, shared/ and the renderer', async () => {
    const graph = await madge(['main', 'shared', 'renderer/src'], {
      fileExtensions: ['ts', 'tsx'],
      tsConfig: 'tsconfig.json',
      excludeRegExp: [/\.test\.tsx?$/],
      detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
    });
    // A graph that lost its edges (say, `.js` specifiers no longer resolved to `.ts` files) would
    // find no circle for the wrong reason: the engine's tunnel must reach the opening reader.
    expect(graph.depends('main/pgwire/opening-reader.ts')).toContain(
      'main/engine/client-startup.ts',
    );
    expect(graph.circular()).toEqual([]);
  }, 60_000);
});
