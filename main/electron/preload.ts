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
  type RpcEvents,
} from '../../shared/rpc.js';
import { unwrapReply, type RpcReply } from '../../shared/rpc-dispatch.js';
import { commandChannel, eventChannel } from './ipc-channels.js';

const commands = Object.fromEntries(
  RPC_COMMANDS.map((name) => [
    name,
    async (...args: unknown[]) =>
      unwrapReply((await ipcRenderer.invoke(commandChannel(name), ...args)) as RpcReply),
  ]),
) as RpcClient;

const bridge: PgTunnelBridge = {
  ...commands,
  onSnapshot(listener: (snapshot: AppSnapshot) => void) {
    const handler = (_event: unknown, snapshot: RpcEvents['snapshot']): void => listener(snapshot);
    ipcRenderer.on(eventChannel('snapshot'), handler);
    return () => ipcRenderer.off(eventChannel('snapshot'), handler);
  },
};

contextBridge.exposeInMainWorld('pgTunnel', bridge);
