import { toSentence } from '../failure/failure.js';

/** Where the start of the app core is. */
export type StartState<T> =
  { phase: 'starting' } | { phase: 'failed'; message: string } | { phase: 'running'; core: T };

/**
 * The app core's start, which the shell runs after its tray icon and window exist, so that a core
 * that cannot start (a profiles file that is not JSON, a configuration directory it cannot write)
 * is explained in the window instead of leaving an app with nothing visible that holds the
 * single-instance lock. A failed start can be retried (the window's Retry, the tray's, a second
 * launch); one attempt runs at a time.
 */
export class CoreStart<T> {
  private state: StartState<T> = { phase: 'starting' };
  private attempt: Promise<T> | undefined;

  /**
   * @param compose builds the core; its rejection's message is the sentence shown.
   * @param onChange called with every new state.
   */
  constructor(
    private readonly compose: () => Promise<T>,
    private readonly onChange: (state: StartState<T>) => void,
  ) {}

  get current(): StartState<T> {
    return this.state;
  }

  /**
   * Starts the core, unless it is running or starting; after a failure, starts it again.
   * Resolves when this attempt has settled; never rejects (the failure is in `current`).
   */
  start(): Promise<void> {
    if (this.attempt === undefined || this.state.phase === 'failed') {
      this.attempt = this.attemptStart();
    }
    return this.attempt.then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * The running core, for a command: waits for a start under way, and starts again after a
   * failed one (the command is the retry). Rejects with the failure's sentence.
   */
  core(): Promise<T> {
    void this.start();
    return this.attempt!;
  }

  /** The core once the current attempt settles, without retrying; undefined if it failed. */
  async settled(): Promise<T | undefined> {
    return this.attempt?.catch(() => undefined);
  }

  private async attemptStart(): Promise<T> {
    this.set({ phase: 'starting' });
    try {
      const core = await this.compose();
      this.set({ phase: 'running', core });
      return core;
    } catch (error) {
      const message = toSentence(error instanceof Error ? error.message : String(error));
      this.set({ phase: 'failed', message });
      throw new Error(message);
    }
  }

  private set(state: StartState<T>): void {
    this.state = state;
    this.onChange(state);
  }
}
