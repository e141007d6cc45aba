/**
 * Runs in the sandboxed window before its page: exposes one typed object, `window.pgTunnel`, made
 * from the shared contract, and nothing else of Electron or Node. Bundled to CommonJS (sandboxed
 * preloads cannot load ES modules or other files).
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  RPC_COMMANDS,
  type AppSnapshot,
  type PgTunnelBridge,
  type RpcClient,
} from '../../shared/rpc.js';
import { unwrapReply, type RpcReply } from '../../shared/rpc-dispatch.js';
import type { DesktopBridge } from '../../shared/desktop.js';
import {
  commandChannel,
  eventChannel,
  NOTICE_CHANNEL,
  OPEN_EXTERNAL_CHANNEL,
  SHOW_PROFILE_CHANNEL,
} from './ipc-channels.js';

const commands = Object.fromEntries(
  RPC_COMMANDS.map((name) => [
    name,
    async (...args: unknown[]) =>
      unwrapReply((await ipcRenderer.invoke(commandChannel(name), ...args)) as RpcReply),
  ]),
) as RpcClient;

/** Subscribes `listener` to pushes of one value on `channel`; returns the unsubscribe function. */
function onPush<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_event: unknown, value: T): void => listener(value);
  ipcRenderer.on(channel, handler);
  return () => ipcRenderer.off(channel, handler);
}

const desktop: DesktopBridge = {
  onShowProfile: (listener) => onPush(SHOW_PROFILE_CHANNEL, listener),
  onNotice: (listener) => onPush(NOTICE_CHANNEL, listener),
  openExternal: async (url) =>
    unwrapReply((await ipcRenderer.invoke(OPEN_EXTERNAL_CHANNEL, url)) as RpcReply),
};

const bridge: PgTunnelBridge & { desktop: DesktopBridge } = {
  desktop,
  ...commands,
  onSnapshot: (listener: (snapshot: AppSnapshot) => void) =>
    onPush(eventChannel('snapshot'), listener),
};

contextBridge.exposeInMainWorld('pgTunnel', bridge);
