import { connectionDetails, identityOf } from '../../shared/connection-details.js';
import type { RpcClient } from '../../shared/rpc.js';
import type { ShellElectron } from './electron-api.js';
import { openPostgresUrl } from './open-external.js';
import { openPsqlTerminal } from './psql-terminal.js';
import type { MenuAction } from './tray-menu.js';

/** The tray menu's actions on tunnels (the others are the shell's own). */
export type TunnelAction = Extract<
  MenuAction,
  {
    kind:
      | 'start-tunnel'
      | 'stop-tunnel'
      | 'copy-url'
      | 'open-url'
      | 'open-psql'
      | 'start-all'
      | 'stop-all';
  }
>;

export interface TunnelActionDeps {
  commands: RpcClient;
  electron: Pick<ShellElectron, 'clipboard' | 'shell'>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
}

/** Whether a menu action is one of runTunnelAction's. */
export function isTunnelAction(action: MenuAction): action is TunnelAction {
  return [
    'start-tunnel',
    'stop-tunnel',
    'copy-url',
    'open-url',
    'open-psql',
    'start-all',
    'stop-all',
  ].includes(action.kind);
}

/**
 * Runs a tray menu action on one tunnel or all of them, through the window's commands.
 *
 * @throws Error with a sentence: the tunnel is not listening, a command failed (the first of
 *   Start All's or Stop All's failures; the others still ran), the OS could not open the URL.
 */
export async function runTunnelAction(action: TunnelAction, deps: TunnelActionDeps): Promise<void> {
  const { commands, electron } = deps;
  switch (action.kind) {
    case 'start-tunnel':
      await commands.startTunnel(action.profileId);
      return;
    case 'stop-tunnel':
      await commands.stopTunnel(action.profileId);
      return;
    case 'copy-url':
      electron.clipboard.writeText(await listeningUrl(commands, action.profileId));
      return;
    case 'open-url':
      await openPostgresUrl(electron.shell, await listeningUrl(commands, action.profileId));
      return;
    case 'open-psql':
      await openPsqlTerminal(
        deps.platform,
        await listeningUrl(commands, action.profileId),
        deps.env,
      );
      return;
    case 'start-all':
    case 'stop-all': {
      const { profiles } = await commands.getSnapshot();
      const results = await Promise.allSettled(
        profiles.map((p) =>
          action.kind === 'start-all' ? commands.startTunnel(p.id) : commands.stopTunnel(p.id),
        ),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) {
        throw failed.reason;
      }
      return;
    }
  }
}

/**
 * The postgres:// URL of a listening tunnel.
 *
 * @throws Error with a sentence when the tunnel is not listening.
 */
async function listeningUrl(commands: RpcClient, profileId: string): Promise<string> {
  const snapshot = await commands.getSnapshot();
  const state = snapshot.tunnels[profileId];
  const profile = snapshot.profiles.find((p) => p.id === profileId);
  if (!profile || !state?.host || !state.port) {
    throw new Error('The tunnel is not listening: start it first.');
  }
  return connectionDetails(state.host, state.port, profile.name, identityOf(profile)).url;
}
