import { networkInterfaces } from 'node:os';

/**
 * How often the tray app looks for dead listeners and a changed network, in ms. A minute: what
 * the engine takes to find a dead session, and cheap (a flag per tunnel, a list of addresses).
 */
export const LIVENESS_INTERVAL_MS = 60_000;

export interface LivenessWatchOptions {
  /** Revives tunnels whose listener the OS closed (AppCore.onResume). */
  reviveListeners(): Promise<unknown>;
  /** Replaces the connections held ahead of need (AppCore.onNetworkChange). */
  networkChanged(): void;
  intervalMs?: number;
  /** The machine's addresses, as a comparable text (default: from os.networkInterfaces()). */
  addresses?: () => string;
  /** Where a failed revive is reported. */
  warn(message: string): void;
}

/**
 * A periodic check beside powerMonitor's 'resume', which some Ubuntu and Windows setups never
 * emit (electron/electron#42050, #24244): every interval, tunnels whose listener is gone are
 * revived, and when the machine's addresses changed (another Wi-Fi, a VPN up or down; Electron's
 * main process has no network-change event), the warm sockets are replaced.
 */
export class LivenessWatch {
  private readonly timer: NodeJS.Timeout;
  private lastAddresses: string;
  private readonly addresses: () => string;

  constructor(private readonly options: LivenessWatchOptions) {
    this.addresses = options.addresses ?? machineAddresses;
    this.lastAddresses = this.addresses();
    this.timer = setInterval(() => this.check(), options.intervalMs ?? LIVENESS_INTERVAL_MS);
    this.timer.unref();
  }

  /** One look: revive dead listeners, refresh warm sockets if the network changed. */
  check(): void {
    const now = this.addresses();
    if (now !== this.lastAddresses) {
      this.lastAddresses = now;
      this.options.networkChanged();
    }
    this.options
      .reviveListeners()
      .catch((error: unknown) =>
        this.options.warn(`Could not restart a tunnel whose listener was gone: ${String(error)}`),
      );
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}

/** Every non-internal address of this machine, sorted, as one line. */
function machineAddresses(): string {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((entry) => !entry.internal)
    .map((entry) => entry.address)
    .sort()
    .join(' ');
}
