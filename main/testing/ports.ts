import { connect, Server, type AddressInfo } from 'node:net';
import { run } from './child-process.js';

export { freePort } from '../service/free-port.js';

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Closes this process's listener on `port`, as the OS does to a listener across sleep. Nothing
 * public reaches a tunnel's listener, so it is found among this process's handles by its port.
 *
 * @throws Error when this process has no listener on `port`.
 */
export async function closeListenerOn(port: number): Promise<void> {
  const listener = (process as unknown as { _getActiveHandles(): unknown[] })
    ._getActiveHandles()
    .find((h): h is Server => h instanceof Server && (h.address() as AddressInfo)?.port === port);
  if (!listener) {
    throw new Error(`This process has no listener on port ${port}.`);
  }
  await new Promise((resolve) => listener.close(resolve));
}

/** The TCP ports process `pid` listens on on 127.0.0.1 (read from `ss`, Linux's iproute2). */
export async function loopbackPortsOf(pid: number): Promise<number[]> {
  const { stdout } = await run('ss', ['-ltnpH']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => /\s127\.0\.0\.1:(\d+)\s/.exec(line)?.[1])
    .filter((port): port is string => port !== undefined)
    .map(Number);
}
