import type { CertificatePair } from './issue.js';
import type { LocalCa } from './local-ca.js';
import { RENEWAL_CHECK_INTERVAL_MS } from './policy.js';

/** What a running tunnel with TLS gives renewLocalTlsWhileServing. */
export interface LocalTlsRenewalOptions {
  /**
   * Opens the local CA as a start does (openLocalCa of the tunnel's configuration directory):
   * renews what is due on disk and resolves with what is to be served.
   */
  open: () => Promise<LocalCa>;
  /** The certificate and key the tunnel serves now. */
  served: CertificatePair;
  /**
   * Serves `server` to new connections from now on (Tunnel.serveLocalTls). It throws when the
   * certificate cannot be used; the one served stays then.
   */
  serve: (server: CertificatePair) => void;
  /** A sentence for the tunnel's log: what was renewed ('info'), or why it could not be ('error'). */
  report: (level: 'info' | 'error', message: string) => void;
  /** How often to look, in ms (default RENEWAL_CHECK_INTERVAL_MS, a day). */
  intervalMs?: number;
}

/** The checks of one running tunnel; stop() when the tunnel stops. */
export interface LocalTlsRenewal {
  /** Looks now (what the timer does); resolves when done. Never rejects: failures are reported. */
  check(): Promise<void>;
  /** No more checks; one under way finishes and is then ignored. */
  stop(): void;
}

/**
 * Keeps a running tunnel's local certificate fresh. A tunnel that runs for months would otherwise
 * serve the certificate it started with past its end, since renewal happens when the local CA is
 * opened (openLocalCa). So every `intervalMs` the CA is opened again, which renews the server
 * certificate on disk once it is past its renewal point (RENEWAL_MARGIN_MS before its end, see
 * policy.ts); when what it gives differs from what is served (renewed now, or by another process
 * sharing the configuration directory), it is served to new connections. Sessions already open
 * keep their TLS connection, and with it the certificate it began with. The timer is unref'd: it
 * never keeps a process alive.
 */
export function renewLocalTlsWhileServing({
  open,
  served,
  serve,
  report,
  intervalMs = RENEWAL_CHECK_INTERVAL_MS,
}: LocalTlsRenewalOptions): LocalTlsRenewal {
  let current = served;
  let stopped = false;
  let running: Promise<void> | undefined;

  const look = async (): Promise<void> => {
    try {
      const fresh = await open();
      if (stopped || fresh.server.cert === current.cert) {
        return;
      }
      serve(fresh.server);
      current = fresh.server;
      for (const change of fresh.changes) {
        report('info', change);
      }
      report('info', 'New connections get the new certificate; open sessions keep theirs.');
    } catch (error) {
      if (!stopped) {
        report(
          'error',
          `The local port's certificate could not be renewed: ${(error as Error).message} It is tried again at the next check; until then the current one is served.`,
        );
      }
    }
  };
  // One check at a time: a slow disk must not stack them up.
  const check = (): Promise<void> => {
    running ??= look().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void check(), intervalMs).unref();
  return {
    check,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
