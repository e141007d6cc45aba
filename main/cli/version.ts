import { readFileSync } from 'node:fs';

/** The package version, read from package.json next to the source or the build output. */
export function packageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const json = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (json.name === 'pg-tunnel' && json.version) {
        return json.version;
      }
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}
