import type { RpcCommand, RpcEvents } from '../../shared/rpc.js';

/** Channel of one RPC command over Electron IPC. */
export const commandChannel = (command: RpcCommand): string => `pg-tunnel:${command}`;
/** Channel on which the main process pushes one kind of event (RpcEvents) to the window. */
export const eventChannel = (event: keyof RpcEvents): string => `pg-tunnel:event:${event}`;
