import { rename, writeFile } from 'node:fs/promises';

/**
 * Writes `text` to `path` readable and writable by its owner only (mode 0600), in one step: a
 * temporary file beside it, renamed over it, so that a crash never leaves half a file and no
 * reader ever sees one. For the files that hold secrets or access tokens (the playground's
 * credentials, the secrets file, pg-tunnel ui's address).
 */
export async function writeOwnerOnly(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
