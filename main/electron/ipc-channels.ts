import type { RpcCommand } from '../../shared/rpc.js';

/** Channel of one RPC command over Electron IPC. */
export const commandChannel = (command: RpcCommand): string => `pg-tunnel:${command}`;
/** Channel on which the main process pushes snapshots to the window. */
export const SNAPSHOT_CHANNEL = 'pg-tunnel:snapshot';
