import { RPC_COMMANDS, type RpcClient } from '../../shared/rpc.js';
import { dispatchCommand, type RpcReply } from '../../shared/rpc-dispatch.js';
import { commandChannel } from './ipc-channels.js';

/** A command's IPC handler: the calling frame (its URL says who calls), then the arguments. */
export type IpcCommandHandler = (
  event: { senderFrame: { url: string } | null },
  ...args: unknown[]
) => Promise<RpcReply>;

/** The part of Electron's ipcMain the bridge uses. */
export interface IpcMainLike {
  handle(channel: string, listener: IpcCommandHandler): void;
  removeHandler(channel: string): void;
}

/**
 * Registers one IPC handler per command of the shared contract. Only the app's own window may call:
 * a frame from anywhere else (a navigation that slipped through, an injected iframe) is refused.
 * Returns the function that unregisters them.
 */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  commands: RpcClient,
  isTrustedUrl: (url: string) => boolean,
): () => void {
  for (const name of RPC_COMMANDS) {
    ipcMain.handle(commandChannel(name), async (event, ...args) => {
      if (!isTrustedUrl(event.senderFrame?.url ?? '')) {
        return {
          ok: false,
          error: { message: 'This window is not allowed to control PG Tunnel.' },
        };
      }
      return dispatchCommand(commands, name, args);
    });
  }
  return () => RPC_COMMANDS.forEach((name) => ipcMain.removeHandler(commandChannel(name)));
}
