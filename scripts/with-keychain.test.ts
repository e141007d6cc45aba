import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, start } from '../main/testing/child-process.js';
import { until } from '../main/testing/until.js';

const WITH_KEYCHAIN = fileURLToPath(new URL('./with-keychain.sh', import.meta.url));

/** Prints the private bus's address and the pid of its Secret Service, then waits. */
const REPORT_AND_WAIT = `echo "bus $DBUS_SESSION_BUS_ADDRESS"
dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets |
  awk '/uint32/ { print "keyring " $2 }'
echo "command $$"
exec sleep 300`;

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Whether anything still answers on the D-Bus bus at `address`. (execFile, not run(): dbus-send
 * exits at once, and writing run()'s empty standard input to it then can fail with EPIPE.)
 */
const busAnswers = (address: string): Promise<boolean> =>
  new Promise((resolve) => {
    execFile(
      'dbus-send',
      [
        `--bus=${address}`,
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.GetId',
      ],
      (error) => resolve(error === null),
    );
  });

describe('scripts/with-keychain.sh', () => {
  for (const group of [false, true]) {
    it(`stopped by SIGTERM ${group ? 'to its process group' : 'to the script alone'}: ends the command, its bus and its keyring daemon`, async () => {
      // No session bus: the script starts a private one with its own keyring.
      const wrapped = start(
        'sh',
        [WITH_KEYCHAIN, 'sh', '-c', REPORT_AND_WAIT],
        { DBUS_SESSION_BUS_ADDRESS: undefined },
        undefined,
        { group },
      );
      const [, bus] = await wrapped.waitFor(/^bus (\S+)$/m, 30_000);
      const [, keyring] = await wrapped.waitFor(/^keyring (\d+)$/m, 30_000);
      const [, command] = await wrapped.waitFor(/^command (\d+)$/m, 30_000);
      expect(await busAnswers(bus!)).toBe(true);
      expect(isRunning(Number(keyring))).toBe(true);

      expect(await wrapped.stop('SIGTERM')).toBe(143);
      await until(() => !isRunning(Number(command)) || undefined, 'the command gone', 10_000);
      await until(async () => !(await busAnswers(bus!)) || undefined, 'the bus gone', 10_000);
      await until(
        () => !isRunning(Number(keyring)) || undefined,
        'the keyring daemon gone',
        10_000,
      );
    }, 60_000);
  }

  it('passes on standard input and the exit status of the command', async () => {
    const result = await run(
      'sh',
      [WITH_KEYCHAIN, 'sh', '-c', 'cat; exit 4'],
      {
        DBUS_SESSION_BUS_ADDRESS: undefined,
      },
      { input: 'typed\n' },
    );
    expect(result).toMatchObject({ code: 4, stdout: 'typed\n' });
  });
});
