import type { WarmLoginsInfo } from '../../shared/tunnel-state.js';
import { isLastingRefusal } from '../failure/failure.js';
import { SqlState } from '../pgwire/error-response.js';
import type { UpstreamRequest } from './connect.js';
import { UpstreamError } from './upstream-error.js';
import type { UpstreamSession } from './upstream-session.js';
import { BurstMeter } from './burst-meter.js';
import { onceSoon } from './once-soon.js';

/**
 * A client's login as a warm one must reproduce it: `key` is its StartupMessage's bytes (protocol
 * version and every parameter, in the client's order), `request` what the connector makes of it.
 * Two clients whose StartupMessages are byte for byte the same get the same login from Postgres,
 * so one made ahead of need for the first is the login the second would have had.
 */
interface LoginShape {
  key: string;
  request: UpstreamRequest;
}

/**
 * The shape of a client's login (`request`, its StartupMessage's bytes `messageBytes`);
 * undefined when no warm login may serve it: a replication connection (a walsender, for a
 * long-lived tool such as pg_basebackup or pg_receivewal, whose slots max_wal_senders counts, is
 * never held ahead of need).
 */
function loginShape(request: UpstreamRequest, messageBytes: Buffer): LoginShape | undefined {
  return request.startup.parameters['replication'] === undefined
    ? { key: messageBytes.toString('latin1'), request }
    : undefined;
}

export interface WarmLoginsOptions {
  /** The most warm logins held at once, whatever the shapes (the pool grows toward recent bursts); 0 holds none. */
  max: number;
  /** With no client opening or leaving for this many ms, every warm login is released (default 60 s). */
  idleMs?: number;
  /** After a connection-limit refusal, no warm login is opened for this many ms (default 5 min). */
  pauseMs?: number;
  /**
   * Logs in once for `request` (UpstreamSession.open with the far side's target): for the pool
   * (`signal` aborts when it stops), or for a client that has no warm login (`signal` aborts when
   * it goes away). Rejects with an UpstreamError.
   */
  open(request: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamSession>;
  /** Hears every change of `state` (held, paused), for the window. */
  changed?(): void;
  /** Hears the sentences worth a line in the tunnel's log (a pause, a release at idle). */
  said?(sentence: string): void;
}

/** What the window shows of a pool (its cap is the far side's to add). */
export type WarmLoginsState = Omit<WarmLoginsInfo, 'max'>;

const DEFAULT_IDLE_MS = 60_000;
const DEFAULT_PAUSE_MS = 5 * 60_000;
/** Logins opened within this many ms of each other count as one burst (as the gateway's warm pool). */
const BURST_WINDOW_MS = 1_000;
/** The pool is sized for the largest burst of this many ms past. */
const BURST_MEMORY_MS = 5 * 60_000;
/** After a failed warm login, wait this long before the next; doubled per failure up to the max. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

interface Held {
  session: UpstreamSession;
  /** Drops it: the server sent something (a FATAL before closing) or closed it while held. */
  spoil: () => void;
}

interface PendingLogin {
  opened: Promise<UpstreamSession>;
  /** A client took it before it finished. */
  claimed: boolean;
}

/** The warm logins of one shape, and how many of its clients come at once. */
interface ShapeEntry {
  shape: LoginShape;
  bursts: BurstMeter;
  lastSeen: number;
  ready: Held[];
  pending: Set<PendingLogin>;
}

/**
 * The warm logins of one direct tunnel: connections to its database already logged in (TCP, TLS
 * and SCRAM done, ReadyForQuery received), each made for the StartupMessage of a recent client,
 * so that the next client sending the very same StartupMessage gets its login in zero round
 * trips. The client receives that backend's own messages, as Postgres sent them: its
 * ParameterStatus values, its real BackendKeyData (a CancelRequest reaches it) and ReadyForQuery.
 * Nothing is changed by SET on a client's behalf: a value set by SET is told apart from one given
 * in the StartupMessage by RESET, DISCARD ALL and pg_settings.source, so a client whose
 * StartupMessage differs in anything gets a cold login of its own instead. Each warm login serves
 * one client and ends with it: no backend's state passes from one client to the next.
 *
 * Considerate of a database that counts connections: nothing is held until a client came; at most
 * `max` are held, shared among the shapes the most recent first, each sized by its recent bursts
 * (as the gateway's warm pool is; a shape no client sent for `idleMs` gets none, and what a shape
 * holds beyond its share is closed, so the logins of an earlier tool never crowd out the one in
 * use now); all are released once no client opened or left for `idleMs`; a login refused for a connection
 * limit (SQLSTATE 53300) releases them and keeps the pool off for `pauseMs`, saying so. A warm
 * login that fails otherwise backs off (1 s doubling to 60 s); one refused for its credentials or
 * its database stops warming until a client's own login succeeds.
 */
export class WarmLogins {
  private readonly shapes = new Map<string, ShapeEntry>();
  private readonly aborter = new AbortController();
  private readonly idleMs: number;
  private readonly pauseMs: number;
  private lastActivity = -Infinity;
  private idleTimer: NodeJS.Timeout | undefined;
  private pausedUntil = 0;
  private pauseReason = '';
  private pauseTimer: NodeJS.Timeout | undefined;
  /** A warm login was refused for its credentials or database: none until a client's succeeds. */
  private dormant = false;
  private backoffMs = 0;
  private backoffUntil = 0;
  private backoffTimer: NodeJS.Timeout | undefined;
  /** fill(), after whatever is running now; once for all the takes of a burst. */
  private readonly fillSoon = onceSoon(() => this.fill());
  private stopped = false;

  constructor(private readonly options: WarmLoginsOptions) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.pauseMs = options.pauseMs ?? DEFAULT_PAUSE_MS;
  }

  get state(): WarmLoginsState {
    const held = this.held;
    return Date.now() < this.pausedUntil
      ? { held, paused: { until: this.pausedUntil, reason: this.pauseReason } }
      : { held };
  }

  /** Warm logins held now: ready, or logging in for no client yet. */
  get held(): number {
    let held = 0;
    for (const entry of this.shapes.values()) {
      held += heldFor(entry);
    }
    return held;
  }

  /**
   * The login of a client that sent `request.startup` (whose bytes are `messageBytes`): a warm
   * one of the same StartupMessage when one is ready or under way (it is the client's now), else
   * one of its own (`options.open`; `signal` aborts when the client goes away). The pool learns
   * the shape, and from the outcome of the client's own login (see loggedIn, refused).
   *
   * @throws what options.open throws, for the client's own login.
   */
  async logIn(
    request: UpstreamRequest,
    messageBytes: Buffer,
    signal?: AbortSignal,
  ): Promise<UpstreamSession> {
    const shape = loginShape(request, messageBytes);
    const warm = shape && (await this.take(shape));
    if (warm) {
      return warm;
    }
    try {
      const session = await this.options.open(request, signal);
      this.loggedIn();
      return session;
    } catch (error) {
      this.refused(error);
      throw error;
    }
  }

  /**
   * A client sent `shape`'s StartupMessage: resolves with a warm login of that shape when one is
   * ready or under way, else undefined. Either way the pool learns the shape and its burst.
   * Never rejects.
   */
  private async take(shape: LoginShape): Promise<UpstreamSession | undefined> {
    const now = Date.now();
    this.touch(now);
    if (this.options.max === 0 || this.stopped) {
      return undefined;
    }
    const entry = this.entryOf(shape, now);
    entry.bursts.record(now);
    for (let held = entry.ready.shift(); held; held = entry.ready.shift()) {
      this.letGo(held);
      if (!held.session.socket.destroyed) {
        this.backoffMs = 0;
        this.options.changed?.();
        // The replacement is opened once this client is on its way (see WarmPool.take).
        this.fillSoon();
        return held.session;
      }
    }
    // A login that started earlier ends sooner than one started now.
    const pending = unclaimed(entry)[0];
    if (pending) {
      pending.claimed = true;
      this.options.changed?.();
      try {
        const session = await pending.opened;
        this.fillSoon();
        return session;
      } catch {
        // The client's own login says what is wrong, as it would have without the pool.
      }
    }
    // Nothing is opened beside a cold login: under a connection limit, a warm login taking the
    // last slot would have this client refused. Its success (loggedIn) starts the filling.
    return undefined;
  }

  /** A client left: the idle time counts from now. */
  clientLeft(): void {
    this.touch(Date.now());
  }

  /**
   * A client's own (cold) login succeeded: the pool fills toward the recent bursts now, and
   * credentials refused earlier work again.
   */
  private loggedIn(): void {
    this.dormant = false;
    this.fillSoon();
  }

  /** A client's own login failed with `error`: a connection limit pauses the pool (see pause). */
  private refused(error: unknown): void {
    if (isConnectionLimit(error)) {
      this.pause(error);
    }
  }

  /**
   * The network changed: the warm logins were made over the old route and may be dead without a
   * FIN, so they are released; the next client's arrival makes new ones.
   */
  refresh(): void {
    this.releaseAll();
    clearTimeout(this.backoffTimer);
    this.backoffMs = 0;
    this.backoffUntil = 0;
  }

  /** Releases every warm login and gives up those under way; resolves when they have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.pauseTimer);
    clearTimeout(this.backoffTimer);
    this.aborter.abort();
    const pending = [...this.shapes.values()].flatMap((entry) => [...entry.pending]);
    this.releaseAll();
    // Their handlers close what still opened.
    await Promise.allSettled(pending.map((login) => login.opened));
  }

  /** A client came or went at `now`: the pool is in use, and released idleMs after the last. */
  private touch(now: number): void {
    this.lastActivity = now;
    clearTimeout(this.idleTimer);
    if (this.options.max > 0 && !this.stopped) {
      this.idleTimer = setTimeout(() => this.releaseAtIdle(), this.idleMs).unref();
    }
  }

  private inUse(now: number): boolean {
    return now - this.lastActivity < this.idleMs;
  }

  private releaseAtIdle(): void {
    const held = this.held;
    this.releaseAll();
    if (held > 0) {
      this.options.said?.(
        `Released ${held} warm login${held === 1 ? '' : 's'}: no client for ${Math.round(this.idleMs / 1000)} s.`,
      );
    }
  }

  /** Closes every held login, forgets the shapes, and drops the logins under way as they end. */
  private releaseAll(): void {
    for (const [key, entry] of this.shapes) {
      this.forget(key, entry);
    }
    this.options.changed?.();
  }

  /** The shape's entry, made when new; the least recent shapes go beyond `max` of them. */
  private entryOf(shape: LoginShape, now: number): ShapeEntry {
    const entry = this.shapes.get(shape.key) ?? {
      shape,
      bursts: new BurstMeter(this.options.max, BURST_WINDOW_MS, BURST_MEMORY_MS),
      lastSeen: now,
      ready: [],
      pending: new Set(),
    };
    // The map's order is the order of use: most recent last.
    this.shapes.delete(shape.key);
    this.shapes.set(shape.key, entry);
    entry.lastSeen = now;
    for (const [key, old] of this.shapes) {
      if (this.shapes.size <= this.options.max) {
        break;
      }
      this.forget(key, old);
    }
    return entry;
  }

  private forget(key: string, entry: ShapeEntry): void {
    this.shapes.delete(key);
    for (const held of entry.ready.splice(0)) {
      this.close(held);
    }
  }

  /** Starts warm logins until each recent shape has as many as its bursts ask, `max` in all. */
  private fill(): void {
    const now = Date.now();
    if (
      this.stopped ||
      this.dormant ||
      now < this.pausedUntil ||
      now < this.backoffUntil ||
      !this.inUse(now)
    ) {
      return;
    }
    // Shares of the cap, the most recent shape first: a GUI's shape of now goes before the
    // pgbench run of a minute ago, whose logins beyond its share are closed to make room.
    let room = this.options.max;
    const shares = new Map<ShapeEntry, number>();
    for (const entry of [...this.shapes.values()].reverse()) {
      const wanted =
        now - entry.lastSeen < this.idleMs ? Math.max(1, entry.bursts.largest(now)) : 0;
      const share = Math.min(room, wanted);
      shares.set(entry, share);
      room -= share;
    }
    for (const [entry, share] of shares) {
      for (let have = heldFor(entry); have > share && entry.ready.length > 0; have--) {
        const held = entry.ready.shift()!;
        this.close(held);
      }
    }
    let free = this.options.max - this.held;
    for (const [entry, share] of shares) {
      for (let have = heldFor(entry); have < share && free > 0; have++, free--) {
        this.startLogin(entry);
      }
    }
    this.options.changed?.();
  }

  private startLogin(entry: ShapeEntry): void {
    const login: PendingLogin = {
      opened: this.options.open(entry.shape.request, this.aborter.signal),
      claimed: false,
    };
    entry.pending.add(login);
    this.options.changed?.();
    login.opened.then(
      (session) => {
        entry.pending.delete(login);
        if (login.claimed) {
          return; // the client it went to has it; its take() refilled
        }
        if (this.stopped || this.shapes.get(entry.shape.key) !== entry || !this.inUse(Date.now())) {
          session.destroy();
        } else {
          this.hold(entry, session);
        }
        this.options.changed?.();
      },
      (error: unknown) => {
        entry.pending.delete(login);
        if (!this.stopped) {
          this.failed(error);
        }
        this.options.changed?.();
      },
    );
  }

  /**
   * Keeps a logged-in connection for the next client of its shape. A backend says nothing while
   * idle after ReadyForQuery, so anything it sends (a FATAL from idle_session_timeout or an
   * administrator, before it closes) or a close means the login is no longer the one a client
   * would get: it is dropped, and counts as a failure for the back-off, so that a server that
   * ends idle connections at once is not logged in to in a loop.
   */
  private hold(entry: ShapeEntry, session: UpstreamSession): void {
    const socket = session.socket;
    const held: Held = {
      session,
      spoil: () => {
        const at = entry.ready.indexOf(held);
        if (at >= 0) {
          entry.ready.splice(at, 1);
        }
        this.close(held);
        this.backOff();
        this.options.changed?.();
      },
    };
    // An error while held ends in 'close' (and never unhandled: the session's own watch() says
    // what an error means once a client has it).
    socket.on('error', ignore);
    socket.on('data', held.spoil);
    socket.on('close', held.spoil);
    socket.resume();
    entry.ready.push(held);
  }

  /** Closes a held login the pool no longer wants. */
  private close(held: Held): void {
    this.letGo(held);
    held.session.destroy();
  }

  /** Takes the pool's listeners off a held login leaving it; it is paused for the client's pump. */
  private letGo(held: Held): void {
    const socket = held.session.socket;
    socket.off('data', held.spoil);
    socket.off('close', held.spoil);
    socket.pause();
  }

  private failed(error: unknown): void {
    if (isConnectionLimit(error)) {
      this.pause(error);
    } else if (error instanceof UpstreamError && isLastingRefusal(error.cause)) {
      this.dormant = true;
    } else {
      this.backOff();
    }
  }

  private backOff(): void {
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 || FIRST_BACKOFF_MS);
    this.backoffUntil = Date.now() + this.backoffMs;
    clearTimeout(this.backoffTimer);
    this.backoffTimer = setTimeout(() => this.fill(), this.backoffMs).unref();
  }

  /**
   * The database refused a login for a connection limit (max_connections, a role's or database's
   * CONNECTION LIMIT, a hosted plan's): the warm logins are taking slots clients need, so they are
   * released and none is opened for pauseMs.
   */
  private pause(error: UpstreamError): void {
    const already = Date.now() < this.pausedUntil;
    this.pausedUntil = Date.now() + this.pauseMs;
    this.pauseReason = `the database refused a login for its connection limit ("${refusalOf(error)}")`;
    this.releaseAll();
    clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.options.changed?.(), this.pauseMs).unref();
    if (!already) {
      this.options.said?.(
        `Warm logins paused for ${Math.round(this.pauseMs / 60_000)} min: ${this.pauseReason}. ` +
          'Clients log in as usual meanwhile.',
      );
    }
  }
}

/** What a shape holds: ready, or logging in for no client yet. */
function heldFor(entry: ShapeEntry): number {
  return entry.ready.length + unclaimed(entry).length;
}

function unclaimed(entry: ShapeEntry): PendingLogin[] {
  return [...entry.pending].filter((login) => !login.claimed);
}

function ignore(): void {}

/** SQLSTATE 53300 too_many_connections (Postgres docs, Appendix A: PostgreSQL Error Codes). */
function isConnectionLimit(error: unknown): error is UpstreamError {
  return (
    error instanceof UpstreamError &&
    error.cause.kind === 'database-error' &&
    error.cause.error.code === SqlState.TooManyConnections
  );
}

function refusalOf(error: UpstreamError): string {
  return error.cause.kind === 'database-error' ? error.cause.error.message : error.message;
}
