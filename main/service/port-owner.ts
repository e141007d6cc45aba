import { execFile } from 'node:child_process';

/**
 * Which program listens on a TCP port, when the OS will say (Linux `ss`); undefined otherwise. Used
 * only to make "port in use" errors name the culprit.
 */
export function findPortOwner(port: number): Promise<string | undefined> {
  if (process.platform !== 'linux') {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    execFile('ss', ['-ltnpH', `sport = :${port}`], { timeout: 2_000 }, (error, stdout) => {
      const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(error ? '' : stdout);
      resolve(match ? `${match[1]} (pid ${match[2]})` : undefined);
    });
  });
}
