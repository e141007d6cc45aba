import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** The layer rule's messages for `code` as if it were the file at `path`. */
async function layerProblems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'layers/allowed-imports')
    .map((message) => message.message);
}

describe('the layer table (eslint.config.js)', () => {
  it('keeps pgwire/ pure: no sockets, no ws, no V8 tuning, nothing of ours', async () => {
    for (const module of ['node:net', 'node:tls', 'ws', 'node:v8', 'node:vm']) {
      expect(await layerProblems('main/pgwire/probe.ts', `import '${module}';`), module).toEqual([
        expect.stringContaining(`may not import '${module}'`),
      ]);
    }
    expect(await layerProblems('main/pgwire/probe.ts', `import '../relay/ws-pump.js';`)).toEqual([
      expect.stringContaining('main/pgwire/ may not import main/relay/'),
    ]);
    expect(await layerProblems('main/pgwire/probe.ts', `import 'node:crypto';`)).toEqual([]);
  });

  it('keeps the engine and the gateway apart', async () => {
    expect(await layerProblems('main/gateway/probe.ts', `import '../engine/index.js';`)).toEqual([
      expect.stringContaining('main/gateway/ may not import main/engine/'),
    ]);
    expect(await layerProblems('main/engine/probe.ts', `import '../gateway/index.js';`)).toEqual([
      expect.stringContaining('main/engine/ may not import main/gateway/'),
    ]);
  });

  it('refuses imports from a folder that has no row yet', async () => {
    expect(await layerProblems('main/newroom/probe.ts', `import '../pgwire/codes.js';`)).toEqual([
      expect.stringContaining('main/newroom/ has no row in the layer table'),
    ]);
  });

  it('lets a folder with an index.ts be imported only through it', async () => {
    expect(await layerProblems('main/cli/probe.ts', `import '../engine/tunnel.js';`)).toEqual([
      expect.stringContaining("import '../engine/index.js'"),
    ]);
    expect(await layerProblems('main/cli/probe.ts', `import '../engine/index.js';`)).toEqual([]);
  });

  it('lets tests and main/testing/ reach every layer', async () => {
    expect(
      await layerProblems('main/pgwire/probe.test.ts', `import '../testing/psql.js';`),
    ).toEqual([]);
  });
});
