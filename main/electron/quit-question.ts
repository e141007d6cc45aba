import type { AppSnapshot } from '../../shared/rpc.js';
import type { ShellMessageBox } from './electron-api.js';

/** What Quit does with the sessions open through the tunnels. */
export type QuitChoice = 'wait' | 'disconnect' | 'cancel';

const BUTTONS: Array<{ label: string; choice: QuitChoice }> = [
  { label: 'Quit When They End', choice: 'wait' },
  { label: 'Disconnect and Quit', choice: 'disconnect' },
  { label: 'Cancel', choice: 'cancel' },
];

/** Sessions open now through every tunnel. */
export function openSessions(snapshot: AppSnapshot): number {
  return Object.values(snapshot.tunnels).reduce((sum, state) => sum + state.sessions.length, 0);
}

/**
 * The question Quit asks when sessions are open (undefined when none is: it quits at once), as
 * database tools ask before closing connections: psql, TablePlus and the others connected through
 * the tunnels would lose them. Escape (or closing the box) cancels.
 */
export function quitQuestion(snapshot: AppSnapshot): ShellMessageBox | undefined {
  const sessions = openSessions(snapshot);
  if (sessions === 0) {
    return undefined;
  }
  const names = snapshot.profiles
    .filter((p) => (snapshot.tunnels[p.id]?.sessions.length ?? 0) > 0)
    .map((p) => p.name);
  return {
    type: 'question',
    title: 'Quit PG Tunnel',
    message: `${sessions} session${sessions === 1 ? ' is' : 's are'} open through ${names.join(', ')}.`,
    detail:
      'Quitting closes them: the database tools connected through PG Tunnel lose their connection. ' +
      'PG Tunnel can stop taking new connections and quit when the last one ends, or disconnect them and quit now.',
    buttons: BUTTONS.map((b) => b.label),
    defaultId: 0,
    cancelId: BUTTONS.length - 1,
    noLink: true,
  };
}

/** The choice behind the button at `response`. */
export function quitChoice(response: number): QuitChoice {
  return BUTTONS[response]?.choice ?? 'cancel';
}
