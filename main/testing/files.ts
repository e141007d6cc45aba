import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every byte under `dir`, file by file. */
export async function filesUnder(dir: string): Promise<Array<{ path: string; content: Buffer }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => ({
        path: join(e.parentPath, e.name),
        content: await readFile(join(e.parentPath, e.name)),
      })),
  );
}

/** One hash of every file's path (relative to `dir`) and content: equal when nothing changed. */
export async function directoryDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const files = (await filesUnder(dir)).sort((a, b) => a.path.localeCompare(b.path));
  for (const { path, content } of files) {
    hash.update(`${relative(dir, path)}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
