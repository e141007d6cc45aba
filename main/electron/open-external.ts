import type { RpcReply } from '../../shared/rpc-dispatch.js';
import type { ShellElectron } from './electron-api.js';
import type { IpcMainLike } from './ipc-bridge.js';
import { OPEN_EXTERNAL_CHANNEL } from './ipc-channels.js';

/** A Postgres URL (libpq's two schemes), the only kind the window may hand to the OS. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?:\/\/[^\s]*$/i.test(url);
}

/**
 * Hands `url` to the OS's program for postgres:// URLs (Postico, TablePlus, DBeaver…).
 *
 * @throws Error with a sentence when `url` is not a Postgres URL, or no program takes it.
 */
export async function openPostgresUrl(shell: ShellElectron['shell'], url: string): Promise<void> {
  if (!isPostgresUrl(url)) {
    throw new Error('Only postgres:// and postgresql:// URLs are opened.');
  }
  try {
    await shell.openExternal(url);
  } catch {
    throw new Error(
      'No program on this computer opens postgres:// URLs: install a database tool that does (Postico, TablePlus, DBeaver), or copy the URL into yours.',
    );
  }
}

/**
 * The window's "Open in…": an IPC handler that only the app's page may call, and that opens only
 * Postgres URLs, so that nothing loaded in the window can make the OS open anything else.
 * Returns the function that unregisters it.
 */
export function registerOpenExternal(
  ipcMain: IpcMainLike,
  shell: ShellElectron['shell'],
  isTrustedUrl: (url: string) => boolean,
): () => void {
  ipcMain.handle(OPEN_EXTERNAL_CHANNEL, async (event, url): Promise<RpcReply> => {
    if (!isTrustedUrl(event.senderFrame?.url ?? '')) {
      return { ok: false, error: { message: 'This window is not allowed to control PG Tunnel.' } };
    }
    try {
      await openPostgresUrl(shell, String(url));
      return { ok: true, result: undefined };
    } catch (error) {
      return { ok: false, error: { message: (error as Error).message } };
    }
  });
  return () => ipcMain.removeHandler(OPEN_EXTERNAL_CHANNEL);
}
