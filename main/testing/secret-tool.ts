import { execFile } from 'node:child_process';

/**
 * Reads an entry through libsecret's `secret-tool`, a Secret Service client that is not ours.
 * keyring-rs names the account attribute `username` (not keytar's `account`). Resolves undefined
 * when there is no such entry.
 */
export function secretToolLookup(service: string, account: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      'secret-tool',
      ['lookup', 'service', service, 'username', account],
      { encoding: 'utf8', timeout: 30_000 },
      (error, stdout) => {
        if (!error) {
          resolve(stdout);
        } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error('secret-tool is not installed: apt-get install libsecret-tools'));
        } else if (error.code === 1 && stdout === '') {
          resolve(undefined);
        } else {
          reject(error);
        }
      },
    );
  });
}

/** Saves an entry through `secret-tool`, as another program on the desktop would. */
export function secretToolStore(service: string, account: string, secret: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'secret-tool',
      ['store', '--label', `test ${account}`, 'service', service, 'username', account],
      { timeout: 30_000 },
      (error) => (error ? reject(error) : resolve()),
    );
    child.stdin?.end(secret);
  });
}

/** The label of an entry as `secret-tool search` shows it: who made it says its own. */
export function secretToolLabel(service: string, account: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(
      'secret-tool',
      ['search', 'service', service, 'username', account],
      { encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(error);
        } else {
          resolve(/^label = (.*)$/m.exec(`${stdout}${stderr}`)?.[1]);
        }
      },
    );
  });
}
