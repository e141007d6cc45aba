import type { AppSnapshot } from '../../shared/rpc.js';

export interface DesktopNotification {
  title: string;
  body: string;
}

/**
 * The notifications a change of state deserves: a tunnel that failed to start, or a key the gateway
 * rejected. Only transitions notify, so a failing tunnel does not repeat itself on every snapshot.
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
          : `${profile.name} failed`,
      body: now.problem.message,
    });
  }
  return notifications;
}
