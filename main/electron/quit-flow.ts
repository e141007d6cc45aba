import type { AppCore } from '../service/app-core.js';
import type { CoreStart } from './core-start.js';
import type { ShellElectron } from './electron-api.js';
import { quitChoice, quitQuestion, type QuitChoice } from './quit-question.js';
import type { Updates } from './updates.js';

/** Tunnels get this long to close their sessions when the app quits. */
const QUIT_TIMEOUT_MS = 5_000;
/**
 * "Quit when they end": sessions may take as long as they take. The longest a Node timer waits
 * (2^31 − 1 ms, about 24 days); a longer one would fire at once.
 */
const WAIT_FOR_SESSIONS_MS = 2_147_483_647;

export interface QuitFlowOptions {
  electron: Pick<ShellElectron, 'app' | 'dialog'>;
  start: CoreStart<AppCore>;
  updates: Updates | undefined;
  /** Called once, as the app starts leaving: timers stopped, the IPC bridge closed, windows let go. */
  leaving(): void;
}

/**
 * How the tray app leaves: Quit asks first when sessions are open (quitQuestion); then the tunnels
 * are stopped, draining or ending their sessions, and the app exits, into a downloaded update's
 * installer unless the system itself is going down.
 */
export class QuitFlow {
  /** A question is on screen, or the app is leaving. */
  private busy = false;
  private left = false;

  constructor(private readonly options: QuitFlowOptions) {}

  /** Quit from the menu, the window or the system's Quit (Escape on the question cancels). */
  async quit(): Promise<void> {
    if (this.busy) {
      return;
    }
    const state = this.options.start.current;
    let choice: QuitChoice = 'disconnect';
    const question = state.phase === 'running' ? quitQuestion(state.core.snapshot()) : undefined;
    if (question) {
      this.busy = true; // one question at a time
      const { response } = await this.options.electron.dialog.showMessageBox(question);
      this.busy = false;
      choice = quitChoice(response);
    }
    if (choice !== 'cancel') {
      await this.exit(choice);
    }
  }

  /**
   * Stops the tunnels and the playground, then exits: into the installer of a downloaded update,
   * now that no session is open, unless `system` (logoff or shutdown: no time for an installer).
   */
  async exit(choice: Exclude<QuitChoice, 'cancel'>, system = false): Promise<void> {
    if (this.left) {
      return;
    }
    this.left = true;
    this.busy = true;
    this.options.leaving();
    const { start, updates, electron } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise(
      (resolve) =>
        (timer = setTimeout(resolve, choice === 'wait' ? WAIT_FOR_SESSIONS_MS : QUIT_TIMEOUT_MS)),
    );
    const stopped = start
      .settled()
      .then((core) =>
        choice === 'wait' ? core?.dispose('drain', WAIT_FOR_SESSIONS_MS) : core?.dispose(),
      );
    await Promise.race([stopped, timeout]).finally(() => clearTimeout(timer));
    if (system || !updates?.installAtQuit()) {
      updates?.dispose();
      electron.app.exit(0);
    }
  }
}
