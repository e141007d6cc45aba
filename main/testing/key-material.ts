import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localCaDir } from '../tls/index.js';

/** The private keys of a local CA: the CA's own and the local port's. */
const KEY_FILES = ['ca.key', 'server.key'];

/**
 * What of the local CA's private keys in `configDir` shows in `text` (a log, a page, what the
 * window was sent): a PEM "PRIVATE KEY" header, and every base64 line of either key found
 * verbatim. Empty when none leaked, so that a test can assert on the list and a failure names it.
 */
export async function privateKeyMaterialIn(text: string, configDir: string): Promise<string[]> {
  const found = text.includes('PRIVATE KEY') ? ['PRIVATE KEY'] : [];
  for (const name of KEY_FILES) {
    const pem = await readFile(join(localCaDir(configDir), name), 'utf8');
    for (const line of pem.split('\n')) {
      if (line && !line.startsWith('-----') && text.includes(line)) {
        found.push(`${name}: ${line}`);
      }
    }
  }
  return found;
}
