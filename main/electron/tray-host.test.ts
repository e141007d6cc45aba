import { describe, expect, it } from 'vitest';
import { sessionBusHasOwner, STATUS_NOTIFIER_WATCHER } from './tray-host.js';

// The tests run under scripts/with-keychain.sh: a session bus with a Secret Service on it, and
// (like GNOME Shell without the AppIndicator extension) nothing that hosts tray icons.
describe.runIf(process.platform === 'linux')('asking the session bus for a bus name', () => {
  it('true for a name someone owns, false for the tray host nobody runs here', async () => {
    expect(await sessionBusHasOwner('org.freedesktop.secrets')).toBe(true);
    expect(await sessionBusHasOwner(STATUS_NOTIFIER_WATCHER)).toBe(false);
  });

  it('undefined, not an error, when there is no bus to ask', async () => {
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    expect(await sessionBusHasOwner(STATUS_NOTIFIER_WATCHER, env)).toBeUndefined();
  });
});
