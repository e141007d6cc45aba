import type { SessionInfo } from './session.js';

export type TunnelStatus = 'stopped' | 'starting' | 'listening' | 'error';

/** The words for a status, in the window and the tray: colour is never the only sign. */
export const STATUS_LABELS: Record<TunnelStatus, string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  listening: 'Listening',
  error: 'Error',
};

/**
 * What the user can do about an error: the window offers the matching action. 'confirm-destination':
 * the saved secret was saved for another destination; the user enters it again or confirms that it
 * goes to the new one.
 */
export type ErrorFix =
  'edit-key' | 'edit-password' | 'change-port' | 'confirm-destination' | 'none';

export interface TunnelProblem {
  message: string;
  fix: ErrorFix;
  /** With 'confirm-destination': where the saved secret would go (a gateway URL, host:port). */
  destination?: string;
}

export interface TunnelState {
  profileId: string;
  status: TunnelStatus;
  host: string | null;
  port: number | null;
  /** Why it failed to start (status 'error'), or the last session-level failure such as a rejected key. */
  problem: TunnelProblem | null;
  sessions: SessionInfo[];
  /** How many log entries the tunnel has recorded: a window re-reads the log when it changes. */
  logEntries: number;
  /**
   * Set when another process runs this tunnel (the playground, one per config directory, started
   * by `pg-tunnel playground`, `pg-tunnel ui` or the tray app): that program and its pid, as in
   * "pg-tunnel playground (pid 4242)". Stop it there.
   */
  runBy?: string;
}

export interface LogEntry {
  /** Epoch milliseconds. */
  at: number;
  level: 'info' | 'error';
  message: string;
}

export interface Settings {
  startAtLogin: boolean;
  startHidden: boolean;
  autoStartTunnels: boolean;
}

export type TestResult =
  { ok: true; roundTripMs: number; serverVersion: string } | { ok: false; error: string };

/** Whether a tunnel is on (its Start/Stop switch, its tray item): a starting tunnel counts as on. */
export function isRunning(state: TunnelState | undefined): boolean {
  return state?.status === 'listening' || state?.status === 'starting';
}
