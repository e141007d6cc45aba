import { SecretDestinationChanged } from './secret-binding.js';
import { EventEmitter } from 'node:events';
import { ListenError, Tunnel } from '../engine/index.js';
import type { CloseReason, DirectRoute } from '../engine/index.js';
import { describeListenFailure, sentenceWithHint, toSentence } from '../failure/failure.js';
import { KEEPS_LISTENING } from '../engine/index.js';
import { hostPort } from '../../shared/connection-details.js';
import { printable } from '../../shared/format.js';
import type { Profile } from '../../shared/profile.js';
import type {
  ErrorFix,
  LogEntry,
  TestResult,
  TunnelProblem,
  TunnelState,
  TunnelStatus,
} from '../../shared/tunnel-state.js';
import { renewLocalTlsWhileServing, type LocalCa, type LocalTlsRenewal } from '../tls/index.js';
import { probeConnection } from './connection-probe.js';
import { findPortOwner } from './port-owner.js';
import type { ProfileStore } from './profile-store.js';

/** Recent events kept per profile for the window's log. */
const LOG_LENGTH = 100;
/** Byte counters change with every chunk: subscribers hear of them at most this often. */
export const STATS_INTERVAL_MS = 1_000;

interface Entry {
  status: TunnelStatus;
  tunnel: Tunnel | undefined;
  problem: TunnelProblem | null;
  /** The local certificate's checks while a tunnel with TLS runs. */
  renewal?: LocalTlsRenewal;
  /** The problem the far side's last answer set, cleared when it answers again. */
  gatewayProblem?: TunnelProblem;
  /** Takes back what the target announced when the tunnel began to listen. */
  withdraw?: () => Promise<void>;
}

export interface TunnelManagerEvents {
  /** Something in the states changed; read `states()`. */
  change: [];
}

/** Where a profile's tunnel leads, and the secret it presents there. */
export interface TunnelTarget {
  /**
   * A gateway's WebSocket URL (the profile's own, or the playground's, started on demand) and
   * the key; or a direct profile's database, its password with it.
   */
  route: { gatewayUrl: string; apiKey: string } | DirectRoute;
  /** The local port's own password, when the profile has a local login. */
  localPassword?: string;
  /**
   * What the user must read while the tunnel runs (the playground's kept data, say), given the
   * address it listens on; shown as the tunnel's problem and recorded in its log.
   */
  notice?: (address: { host: string; port: number }) => string;
  /**
   * Tells other processes where the tunnel listens (the playground, one per config directory, is
   * seen from every shell); called once it listens. Resolves with the function that takes it back
   * when the tunnel stops.
   */
  announce?: (address: { host: string; port: number }) => Promise<() => Promise<void>>;
}

/**
 * Finds a profile's target when it starts. Resolves undefined when no API key is saved for a
 * tunnel profile; rejects with a sentence when the keychain cannot be read or the target cannot
 * start.
 */
export type TargetResolver = (profile: Profile) => Promise<TunnelTarget | undefined>;

/** One engine per profile: starts, stops, and reports state, sessions and a short log of each. */
export class TunnelManager extends EventEmitter<TunnelManagerEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly logs = new Map<string, LogEntry[]>();
  /** Entries ever recorded per tunnel; the log itself keeps only the latest. */
  private readonly logCounts = new Map<string, number>();
  private readonly statsTimer: NodeJS.Timeout;

  /**
   * @param localCa opens the local CA (making or renewing what is due) for a tunnel with TLS;
   *   rejects with a sentence when the CA cannot be used.
   * @param localTlsCheckIntervalMs how often a running tunnel with TLS looks whether its
   *   certificate is due for renewal (default: daily, see renewLocalTlsWhileServing).
   */
  constructor(
    private readonly profiles: ProfileStore,
    private readonly resolveTarget: TargetResolver,
    private readonly localCa: () => Promise<LocalCa>,
    private readonly localTlsCheckIntervalMs?: number,
  ) {
    super();
    this.statsTimer = setInterval(() => {
      if ([...this.entries.values()].some((e) => (e.tunnel?.sessions().length ?? 0) > 0)) {
        this.emit('change');
      }
    }, STATS_INTERVAL_MS).unref();
  }

  state(id: string): TunnelState {
    const entry = this.entries.get(id);
    const address = entry?.tunnel?.address();
    const profile = this.profiles.get(id);
    return {
      profileId: id,
      status: entry?.status ?? 'stopped',
      host: address?.address ?? profile?.host ?? null,
      port: address?.port ?? profile?.port ?? null,
      problem: entry?.problem ?? null,
      sessions: entry?.tunnel?.sessions() ?? [],
      logEntries: this.logCounts.get(id) ?? 0,
      warmLogins: entry?.tunnel?.warmLogins(),
    };
  }

  states(): Record<string, TunnelState> {
    return Object.fromEntries(this.profiles.list().map((p) => [p.id, this.state(p.id)]));
  }

  log(id: string): LogEntry[] {
    return [...(this.logs.get(id) ?? [])];
  }

  /** Starts the profile's tunnel; resolves with its state, 'error' with a sentence if it failed. */
  async start(id: string): Promise<TunnelState> {
    const profile = this.profiles.require(id);
    const current = this.entries.get(id);
    if (current && (current.status === 'listening' || current.status === 'starting')) {
      return this.state(id);
    }
    const entry: Entry = { status: 'starting', tunnel: undefined, problem: null };
    this.entries.set(id, entry);
    this.emit('change');
    try {
      const target = await this.resolveTarget(profile);
      if (!target) {
        return this.fail(id, entry, {
          message: 'No API key is saved for this tunnel: edit it and paste the key.',
          fix: 'edit-key',
        });
      }
      const localCa = profile.tls ? await this.localCa() : undefined;
      for (const change of localCa?.changes ?? []) {
        this.record(id, 'info', change);
      }
      const { route } = target;
      const tunnel = new Tunnel({
        ...('direct' in route
          ? route
          : { ...route, userAgent: 'pg-tunnel-app', profileName: profile.name }),
        host: profile.host,
        port: profile.port ?? 0,
        tls: localCa?.server,
        localPassword: target.localPassword,
      });
      this.watch(id, entry, tunnel);
      const address = await tunnel.listen();
      if (entry !== this.entries.get(id)) {
        await tunnel.stop('kill'); // stopped or deleted while starting
        return this.state(id);
      }
      entry.tunnel = tunnel;
      entry.status = 'listening';
      if (localCa) {
        entry.renewal = renewLocalTlsWhileServing({
          open: this.localCa,
          served: localCa.server,
          serve: (server) => tunnel.serveLocalTls(server),
          report: (level, message) => this.record(id, level, message),
          intervalMs: this.localTlsCheckIntervalMs,
        });
      }
      if (profile.port === null) {
        // Keep the port the OS gave, so saved GUI connections still work next time.
        this.profiles.update(id, { port: address.port });
      }
      this.record(id, 'info', `Listening on ${hostPort(address.address, address.port)}`);
      const withdraw = await target
        .announce?.({ host: address.address, port: address.port })
        .catch((error: Error) => {
          this.record(id, 'error', `Other windows will not see it running: ${error.message}`);
          return undefined;
        });
      if (entry === this.entries.get(id)) {
        entry.withdraw = withdraw;
      } else {
        await withdraw?.(); // stopped while announcing
      }
      const notice = target.notice?.({ host: address.address, port: address.port });
      if (notice) {
        entry.problem = { message: notice, fix: 'none' };
        this.record(id, 'error', notice);
      }
      this.emit('change');
      return this.state(id);
    } catch (error) {
      return this.fail(id, entry, await describeStartFailure(error, profile));
    }
  }

  async stop(
    id: string,
    mode: 'drain' | 'kill' = 'kill',
    drainTimeoutMs?: number,
  ): Promise<TunnelState> {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    entry?.renewal?.stop();
    await entry?.withdraw?.().catch(() => {});
    if (entry?.tunnel) {
      await entry.tunnel.stop(mode, drainTimeoutMs);
      this.record(id, 'info', 'Stopped');
    }
    this.emit('change');
    return this.state(id);
  }

  async restart(id: string): Promise<TunnelState> {
    await this.stop(id);
    return this.start(id);
  }

  /**
   * After sleep or a network change a listener can be gone while its tunnel still says
   * 'listening': restart those. Returns the ids restarted.
   */
  async reviveDeadListeners(): Promise<string[]> {
    const dead = [...this.entries]
      .filter(([, e]) => e.status === 'listening' && e.tunnel && !e.tunnel.listening)
      .map(([id]) => id);
    for (const id of dead) {
      this.record(id, 'error', 'The listener was gone after the computer woke up; restarting');
      await this.restart(id);
    }
    return dead;
  }

  /** The network changed: every running tunnel replaces its warm sockets. */
  networkChanged(): void {
    for (const entry of this.entries.values()) {
      entry.tunnel?.networkChanged();
    }
  }

  killSession(profileId: string, sessionId: string): boolean {
    const killed = this.entries.get(profileId)?.tunnel?.killSession(sessionId) ?? false;
    if (killed) {
      this.record(profileId, 'info', `Session ${sessionId} disconnected`);
    }
    return killed;
  }

  async testConnection(id: string): Promise<TestResult> {
    const state = this.state(id);
    if (state.status !== 'listening' || state.host === null || state.port === null) {
      return { ok: false, error: 'Start the tunnel first.' };
    }
    const result = await probeConnection(state.host, state.port);
    this.record(
      id,
      result.ok ? 'info' : 'error',
      result.ok
        ? `Test connection: ${result.roundTripMs} ms`
        : `Test connection failed: ${result.error}`,
    );
    return result;
  }

  /** Forgets a deleted profile: stops its tunnel and drops its log. */
  async forget(id: string): Promise<void> {
    await this.stop(id);
    this.logs.delete(id);
  }

  async dispose(mode: 'drain' | 'kill' = 'kill', drainTimeoutMs?: number): Promise<void> {
    clearInterval(this.statsTimer);
    await Promise.all([...this.entries.keys()].map((id) => this.stop(id, mode, drainTimeoutMs)));
  }

  private watch(id: string, entry: Entry, tunnel: Tunnel): void {
    // Said on the card before any client connects: the first connection is made at start.
    tunnel.on('far-side-checked', (check) => {
      if (check.ok) {
        if (entry.gatewayProblem && entry.problem === entry.gatewayProblem) {
          entry.problem = null;
          this.record(id, 'info', tunnel.answersAgain());
        }
        entry.gatewayProblem = undefined;
      } else {
        const { failure, lasting } = check;
        const message = `${sentenceWithHint(failure)}${lasting ? '' : ` ${KEEPS_LISTENING}`}`;
        entry.gatewayProblem = { message, fix: failure.fix };
        entry.problem = entry.gatewayProblem;
        this.record(id, 'error', message);
      }
      this.emit('change');
    });
    tunnel.on('warm-logins', () => this.emit('change'));
    tunnel.on('far-side-note', (sentence) => this.record(id, 'info', sentence));
    tunnel.on('session-opened', (s) => {
      this.record(
        id,
        'info',
        `Session ${s.id} opened from ${s.clientAddress} (${printable(s.applicationName) || 'unknown client'})`,
      );
      this.emit('change');
    });
    tunnel.on('session-closed', (s, reason?: CloseReason) => {
      if (reason?.cause.kind === 'disconnected' || reason?.cause.kind === 'tunnel-stopping') {
        // What the user chose ("Disconnect", stopping the tunnel): not a failure.
        this.record(id, 'info', `Session ${s.id} closed: ${printable(reason.message)}`);
      } else if (reason) {
        this.record(id, 'error', `Session ${s.id} failed: ${printable(reason.message)}`);
        if (isSecretFix(reason.fix)) {
          entry.problem = { message: reason.sentence, fix: reason.fix };
        }
      } else {
        this.record(id, 'info', `Session ${s.id} closed`);
      }
      // A session that got through (however it ended) proves the key or password works again.
      if (entry.problem && isSecretFix(entry.problem.fix) && s.backendPid !== null) {
        entry.problem = null;
      }
      this.emit('change');
    });
  }

  private fail(id: string, entry: Entry, problem: TunnelProblem): TunnelState {
    if (this.entries.get(id) === entry) {
      entry.status = 'error';
      entry.problem = problem;
      this.record(id, 'error', problem.message);
      this.emit('change');
    }
    return this.state(id);
  }

  private record(id: string, level: LogEntry['level'], message: string): void {
    const log = this.logs.get(id) ?? [];
    log.push({ at: Date.now(), level, message });
    this.logs.set(id, log.slice(-LOG_LENGTH));
    this.logCounts.set(id, (this.logCounts.get(id) ?? 0) + 1);
    this.emit('change');
  }
}

/** Problems the user fixes by editing the saved key or password. */
function isSecretFix(fix: ErrorFix): boolean {
  return fix === 'edit-key' || fix === 'edit-password';
}

/** The advice a port-in-use problem ends with: where, in the window, to change the port. */
export function pickAnotherPort(profileName: string): string {
  return `Pick another port for “${profileName}”.`;
}

async function describeStartFailure(error: unknown, profile: Profile): Promise<TunnelProblem> {
  if (error instanceof SecretDestinationChanged) {
    return error.problem;
  }
  if (error instanceof ListenError) {
    const { cause } = error;
    const inUse = cause.kind === 'port-in-use' || cause.kind === 'port-in-use-ipv6';
    const owner = inUse ? await findPortOwner(cause.port) : undefined;
    const { sentence, fix } =
      inUse && owner ? describeListenFailure({ ...cause, owner }) : error.failure;
    return {
      message: fix === 'change-port' ? `${sentence} ${pickAnotherPort(profile.name)}` : sentence,
      fix,
    };
  }
  return { message: toSentence((error as Error).message), fix: 'none' };
}
