import type { RpcCommand, RpcEvents } from '../../shared/rpc.js';

/** Channel of one RPC command over Electron IPC. */
export const commandChannel = (command: RpcCommand): string => `pg-tunnel:${command}`;
/** Channel on which the main process pushes one kind of event (RpcEvents) to the window. */
export const eventChannel = (event: keyof RpcEvents): string => `pg-tunnel:event:${event}`;
/** Channel on which the main process asks the window to show a profile (a notification's click). */
export const SHOW_PROFILE_CHANNEL = 'pg-tunnel:show-profile';
/**
 * Channel on which the main process gives the window a notice to show in its notice bar: what a
 * notification would have said where none can be shown.
 */
export const NOTICE_CHANNEL = 'pg-tunnel:notice';
/** Channel on which the window asks to open a postgres:// URL with the OS's handler for it. */
export const OPEN_EXTERNAL_CHANNEL = 'pg-tunnel:open-external';
