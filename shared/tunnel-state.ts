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

/**
 * A direct tunnel's warm logins: connections to its database logged in ahead of need, each for
 * the next client whose StartupMessage is the same as a recent one's (see docs/desktop.md).
 */
export interface WarmLoginsInfo {
  /** Held now: logged in, or logging in for no client yet. */
  held: number;
  /** The most held at once; 0 when the profile's warm logins are off. */
  max: number;
  /** While a connection-limit refusal keeps them off: until when (epoch ms), and why. */
  paused?: { until: number; reason: string };
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
  /** A running direct tunnel's warm logins; absent for other kinds and when stopped. */
  warmLogins?: WarmLoginsInfo;
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
