import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeOwnerOnly } from './owner-only-file.js';
import type { SecretStore } from './secret-store.js';

/** The file's name in the config directory, beside profiles.json. */
export const SECRETS_FILE_NAME = 'secrets.json';

const secretsSchema = z.object({ secrets: z.record(z.string(), z.string()) });

/**
 * A secret store in one owner-only file (mode 0600) in the config directory: for machines where
 * no OS keychain can be had (a server, WSL, a container), and only for the profiles whose user
 * chose it (see createSecretChoice). Not encrypted: it protects the secrets as the playground's
 * credentials file does, by file permissions, as ~/.pgpass does. Writes replace the file in one
 * step (a temporary file renamed over it), so a crash never leaves half of it.
 *
 * @param configDir the config directory (`defaultConfigDir()` or `--config-dir`).
 */
export function createFileSecretStore(configDir: string): SecretStore & { readonly path: string } {
  const path = join(configDir, SECRETS_FILE_NAME);
  // One write at a time in this process, each reading what the last one wrote.
  let queue: Promise<unknown> = Promise.resolve();
  const change = <T>(edit: (secrets: Record<string, string>) => T): Promise<T> => {
    const next = queue.then(async () => {
      const secrets = await readSecrets(path);
      const result = edit(secrets);
      await writeSecrets(path, secrets);
      return result;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    path,
    async get(account) {
      await queue;
      return (await readSecrets(path))[account];
    },
    set: (account, secret) =>
      change((secrets) => {
        secrets[account] = secret;
      }),
    delete: (account) =>
      change((secrets) => {
        const had = account in secrets;
        delete secrets[account];
        return had;
      }),
  };
}

/**
 * The file's secrets by account.
 *
 * @returns an empty record when there is no file yet.
 * @throws an Error with a sentence (never the file's content, which holds secrets) when it cannot
 *   be read or is not what this version writes.
 */
async function readSecrets(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return {};
    }
    throw new Error(
      `The secrets file ${path} cannot be read (${code ?? (error as Error).message}); make it readable by this user.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined; // JSON.parse's message quotes the text, which holds secrets.
  }
  const parsed = secretsSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `The secrets file ${path} is damaged (not the JSON this version writes); restore it from a backup, or move it away and enter the secrets again.`,
    );
  }
  return { ...parsed.data.secrets };
}

function writeSecrets(path: string, secrets: Record<string, string>): Promise<void> {
  return writeOwnerOnly(path, `${JSON.stringify({ secrets }, null, 2)}\n`);
}
