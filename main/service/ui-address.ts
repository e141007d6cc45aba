import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeOwnerOnly } from './owner-only-file.js';

/**
 * Where `pg-tunnel ui` serves the window, kept from one start to the next so that a bookmarked
 * URL keeps working: its loopback port and the access token the URL carries.
 */
export interface UiAddress {
  port: number;
  /** 32 random bytes, base64url: the control server's access token. */
  token: string;
}

const FILE_NAME = 'ui.json';

const addressSchema = z.object({
  port: z.number().int().min(1).max(65535),
  token: z.string().regex(/^[\w-]{43}$/),
});

/** A new access token: 32 random bytes (256 bits), base64url. */
export function newUiToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The address the last start of `pg-tunnel ui` on `configDir` served, or undefined when there is
 * none (a first start) or the file is not what this version writes (then a new one is made).
 */
export async function readUiAddress(configDir: string): Promise<UiAddress | undefined> {
  try {
    const parsed = addressSchema.safeParse(
      JSON.parse(await readFile(join(configDir, FILE_NAME), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps `address` for the next start, in `ui.json` in the config directory: owner-only (0600),
 * as the token opens the window to whoever holds it; written in one step.
 */
export function saveUiAddress(configDir: string, address: UiAddress): Promise<void> {
  return writeOwnerOnly(join(configDir, FILE_NAME), `${JSON.stringify(address)}\n`);
}
