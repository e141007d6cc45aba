import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeOwnerOnly } from '../owner-only-file.js';

/**
 * What the playground keeps beside its databases, readable by its owner only (0600): the
 * playground's secrets live with its data, so it needs no keychain and its data outlives any
 * keyring.
 */
export interface PlaygroundCredentials {
  /** The API key the playground's gateway accepts and its tunnel presents. */
  apiKey: string;
  /**
   * The password of the role "playground" of each database directory, by directory name. `null`:
   * the keychain was looked in (a database from before this file existed) and held none.
   */
  passwords: Record<string, string | null>;
}

const credentialsSchema = z.object({
  apiKey: z.string().min(1),
  passwords: z.record(z.string(), z.string().min(1).nullable()),
});

const FILE_NAME = 'credentials.json';

/** The credentials file of the playground directory `dir`. */
export function credentialsFile(dir: string): string {
  return join(dir, FILE_NAME);
}

/** A secret for the playground: 24 random bytes, base64url (192 bits). */
export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** A fresh API key for the playground's gateway. */
export function newPlaygroundApiKey(): string {
  return `playground_${newSecret()}`;
}

/**
 * Reads the credentials file.
 *
 * @returns undefined when there is none yet.
 * @throws an Error with a sentence (never the file's content, which holds secrets) when the file
 *   exists but cannot be read or is not what this version writes.
 */
export async function readCredentials(file: string): Promise<PlaygroundCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new Error(
      `The playground's credentials file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); make it readable by this user and start the playground again.`,
    );
  }
  const invalid = (): Error =>
    new Error(
      `The playground's credentials file ${file} is damaged (not the JSON this version writes). It holds the playground database's password: restore it from a backup, or move it away and start again (a new password is then set on the same data).`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the fault, which may be a password.
    throw invalid();
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) {
    throw invalid();
  }
  return parsed.data;
}

/** Writes the credentials file, mode 0600, in one step (see writeOwnerOnly). */
export async function writeCredentials(
  file: string,
  credentials: PlaygroundCredentials,
): Promise<void> {
  await writeOwnerOnly(file, `${JSON.stringify(credentials, null, 2)}\n`);
}
