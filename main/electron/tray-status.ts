import type { AppSnapshot } from '../../shared/rpc.js';

export type TrayIconState = 'idle' | 'listening' | 'error';

/** Which icon the tray shows: error wins, then listening, else idle. */
export function trayIconState(snapshot: AppSnapshot): TrayIconState {
  const states = Object.values(snapshot.tunnels);
  if (states.some((s) => s.status === 'error' || s.problem !== null)) {
    return 'error';
  }
  return states.some((s) => s.status === 'listening') ? 'listening' : 'idle';
}

/** The tray tooltip: counts a glance can take in. */
export function trayTooltip(snapshot: AppSnapshot): string {
  const states = Object.values(snapshot.tunnels);
  const listening = states.filter((s) => s.status === 'listening').length;
  const sessions = states.reduce((sum, s) => sum + s.sessions.length, 0);
  const failing = states.filter((s) => s.status === 'error' || s.problem !== null).length;
  const parts = [
    `${listening} of ${snapshot.profiles.length} tunnel${snapshot.profiles.length === 1 ? '' : 's'} listening`,
  ];
  parts.push(`${sessions} session${sessions === 1 ? '' : 's'}`);
  if (failing > 0) {
    parts.push(`${failing} with errors`);
  }
  return `PG Tunnel — ${parts.join(', ')}`;
}

/** Icon file names in assets/ for a state and platform (macOS uses template images). */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
}
