import { execFile } from 'node:child_process';

/**
 * The bus name of the StatusNotifierItem host, the desktop part that shows tray icons on Linux
 * (freedesktop.org StatusNotifierItem specification; KDE named it, every host uses it).
 */
export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

/** A session bus answers NameHasOwner at once; one that does not is treated as absent. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Asks the D-Bus session bus whether `name` has an owner (org.freedesktop.DBus.NameHasOwner), with
 * `dbus-send` (Debian dbus-bin; present wherever a desktop session bus is). `env` is the child's
 * environment: its DBUS_SESSION_BUS_ADDRESS (or XDG_RUNTIME_DIR/bus) names the bus.
 *
 * @returns true or false; undefined when the bus cannot be asked (no session bus, no dbus-send,
 *   no answer within 2 s). Never rejects.
 */
export async function sessionBusHasOwner(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean | undefined> {
  const reply = await askBus(['org.freedesktop.DBus.NameHasOwner', `string:${name}`], env);
  const answer = reply === undefined ? undefined : /boolean (true|false)/.exec(reply)?.[1];
  return answer === undefined ? undefined : answer === 'true';
}

/**
 * Whether `name` is served on the session bus: owned now, or started on first use (a D-Bus
 * activatable service, as xfce4-notifyd and dunst are for notifications).
 *
 * @returns as sessionBusHasOwner.
 */
export async function sessionBusProvides(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean | undefined> {
  const owned = await sessionBusHasOwner(name, env);
  if (owned !== false) {
    return owned;
  }
  const reply = await askBus(['org.freedesktop.DBus.ListActivatableNames'], env);
  return reply === undefined ? undefined : reply.includes(`"${name}"`);
}

/** One call to the bus itself with dbus-send; its printed reply, or undefined when it failed. */
function askBus(call: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const args = [
    '--session',
    '--print-reply',
    `--reply-timeout=${PROBE_TIMEOUT_MS}`,
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    ...call,
  ];
  return new Promise((resolve) => {
    execFile('dbus-send', args, { env, timeout: PROBE_TIMEOUT_MS * 2 }, (error, stdout) => {
      resolve(error ? undefined : stdout);
    });
  });
}
