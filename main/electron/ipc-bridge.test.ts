import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PgTunnelBridge } from '../../shared/rpc.js';
import type { RpcReply } from '../../shared/rpc-dispatch.js';
import { createTestCore, type TestCore } from '../testing/app-core.js';
import { registerIpcHandlers } from './ipc-bridge.js';
import { eventChannel } from './ipc-channels.js';
import { isAppPage } from './tray-window.js';

/**
 * A fake of Electron's IPC, the one boundary that cannot run here: messages are structured-cloned
 * both ways, as Electron does, and every call comes from a frame whose URL the test chooses.
 */
const ipc = vi.hoisted(() => {
  type Handler = (event: { senderFrame: { url: string } }, ...args: unknown[]) => Promise<unknown>;
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, Array<(event: unknown, payload: unknown) => void>>();
  const exposed: Record<string, unknown> = {};
  const state = { frameUrl: '' };
  return { handlers, listeners, exposed, state };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (ipc.exposed[name] = api) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      const handler = ipc.handlers.get(channel);
      if (!handler) {
        throw new Error(`No handler registered for '${channel}'`);
      }
      return structuredClone(
        await handler({ senderFrame: { url: ipc.state.frameUrl } }, ...structuredClone(args)),
      );
    },
    on: (channel: string, listener: (event: unknown, payload: unknown) => void) =>
      ipc.listeners.set(channel, [...(ipc.listeners.get(channel) ?? []), listener]),
    off: (channel: string, listener: (event: unknown, payload: unknown) => void) =>
      ipc.listeners.set(
        channel,
        (ipc.listeners.get(channel) ?? []).filter((l) => l !== listener),
      ),
  },
}));

const PAGE = 'file:///opt/pg-tunnel/resources/app.asar/dist/renderer/index.html';
let test: TestCore;
let bridge: PgTunnelBridge;
let unregister: () => void;

beforeAll(async () => {
  test = await createTestCore();
  const ipcMain = {
    handle: (
      channel: string,
      listener: (
        event: { senderFrame: { url: string } | null },
        ...args: unknown[]
      ) => Promise<RpcReply>,
    ) => ipc.handlers.set(channel, listener),
    removeHandler: (channel: string) => ipc.handlers.delete(channel),
  };
  unregister = registerIpcHandlers(ipcMain, test.core.commands, (url) => isAppPage(url, PAGE));
  await import('./preload.js');
  bridge = ipc.exposed['pgTunnel'] as PgTunnelBridge;
});

afterAll(async () => {
  unregister?.();
  await test?.core.dispose();
});

describe('the IPC bridge', () => {
  it('the preload exposes exactly one object, window.pgTunnel, with every command of the contract and the desktop part', async () => {
    expect(Object.keys(ipc.exposed)).toEqual(['pgTunnel']);
    const { RPC_COMMANDS } = await import('../../shared/rpc.js');
    expect(Object.keys(bridge).sort()).toEqual([...RPC_COMMANDS, 'desktop', 'onSnapshot'].sort());
    expect(Object.keys((bridge as unknown as { desktop: object }).desktop).sort()).toEqual([
      'onNotice',
      'onShowProfile',
      'openExternal',
    ]);
  });

  it('commands from the app page reach the core and come back', async () => {
    ipc.state.frameUrl = `${PAGE}#/tunnels`;
    const snapshot = await bridge.getSnapshot();
    expect(snapshot).toMatchObject({ version: 'test', profiles: [] });
  });

  it('a refused command throws with its sentence and the field at fault', async () => {
    ipc.state.frameUrl = PAGE;
    await expect(bridge.addProfile({ name: '', apiKey: 'x' })).rejects.toMatchObject({
      message: 'Give the tunnel a name.',
      field: 'name',
    });
  });

  it('a frame that is not the app page is refused', async () => {
    ipc.state.frameUrl = 'https://evil.example/';
    await expect(bridge.getSnapshot()).rejects.toThrow(
      'This window is not allowed to control PG Tunnel.',
    );
    ipc.state.frameUrl = 'file:///tmp/other.html';
    await expect(bridge.getSnapshot()).rejects.toThrow('not allowed');
  });

  it('snapshots pushed on the snapshot channel reach onSnapshot listeners until they unsubscribe', () => {
    const received: unknown[] = [];
    const unsubscribe = bridge.onSnapshot((snapshot) => received.push(snapshot));
    for (const listener of ipc.listeners.get(eventChannel('snapshot')) ?? []) {
      listener({}, { version: 'pushed' });
    }
    unsubscribe();
    expect(ipc.listeners.get(eventChannel('snapshot'))).toEqual([]);
    expect(received).toEqual([{ version: 'pushed' }]);
  });
});
