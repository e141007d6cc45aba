import type { AppSnapshot } from '../../shared/rpc.js';

export interface DesktopNotification {
  title: string;
  body: string;
  /** The profile it is about: a click opens the window there. */
  profileId?: string;
}

/**
 * The notifications a change of state deserves: a tunnel that failed to start, a key the gateway
 * or a password the database rejected, or a notice on a running tunnel (the playground's kept
 * data). Only transitions notify, so a failing tunnel does not repeat itself on every snapshot.
 * The body is the problem's first line: commands that may follow it are for the window.
 */
export function notificationsFor(
  previous: AppSnapshot | undefined,
  next: AppSnapshot,
): DesktopNotification[] {
  const notifications: DesktopNotification[] = [];
  for (const profile of next.profiles) {
    const before = previous?.tunnels[profile.id];
    const now = next.tunnels[profile.id];
    if (!now?.problem || before?.problem?.message === now.problem.message) {
      continue;
    }
    notifications.push({
      title:
        now.problem.fix === 'edit-key'
          ? `${profile.name}: the key was rejected`
          : now.problem.fix === 'edit-password'
            ? `${profile.name}: the password was rejected`
            : now.problem.fix === 'confirm-destination'
              ? `${profile.name}: confirm where its ${profile.kind === 'direct' ? 'password' : 'key'} goes`
              : now.status === 'error'
                ? `${profile.name} failed`
                : `${profile.name} needs your attention`,
      body: now.problem.message.split('\n')[0]!,
      profileId: profile.id,
    });
  }
  return notifications;
}
