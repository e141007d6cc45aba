import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificatePair } from './issue.js';
import { judgeCa, judgeServer } from './policy.js';

/** Owner only: the folder holds private keys. */
const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;
/** Certificates are public; they sit in the private folder all the same. */
const PUBLIC_FILE_MODE = 0o644;

const CA_CERT = 'ca.crt';
const CA_KEY = 'ca.key';
const SERVER_CERT = 'server.crt';
const SERVER_KEY = 'server.key';

/** The local CA as a tunnel needs it: what to serve, and what to give clients that verify. */
export interface LocalCa {
  /** The CA certificate's file: what clients take as `sslrootcert` (a "root certificate"). */
  caCertPath: string;
  /** Its contents (PEM): public, for clients and the window. */
  caCertPem: string;
  /** The local port's certificate and private key (PEM), signed by the CA. */
  server: CertificatePair;
  /** What this call made or replaced, one sentence each, for the log; empty when nothing. */
  changes: string[];
}

/** The local CA's folder cannot be used as it is; the message says which file and what to do. */
export class LocalCaError extends Error {
  override readonly name = 'LocalCaError';
}

/** The folder of the local CA in a configuration directory. */
export function localCaDir(configDir: string): string {
  return join(configDir, 'tls');
}

/** The CA certificate's path in a configuration directory (it may not exist yet). */
export function localCaCertPath(configDir: string): string {
  return join(localCaDir(configDir), CA_CERT);
}

/**
 * Opens the local CA in `<configDir>/tls` at `now`, making what is missing: a CA on first use, and
 * a server certificate for 127.0.0.1, ::1 and localhost whenever the one there is missing, not of
 * this CA, without one of those names, or within 30 days of its end (see policy.ts). A CA within
 * 30 days of its end is moved aside to `tls-expired-<date>` and a new one made. Keys are written
 * owner-only (0600, in a 0700 folder). Safe against other processes doing the same at once: a
 * new CA is written in a folder of its own and moved into place in one rename, and whoever loses
 * that race uses the winner's.
 *
 * @throws LocalCaError when the CA's files are there but cannot be used (a file missing or
 *   unreadable, key and certificate not matching): people may trust that CA, so it is never
 *   overwritten; the sentence says how to start afresh. Also when the folder cannot be written.
 */
export async function openLocalCa(configDir: string, now = new Date()): Promise<LocalCa> {
  try {
    return await openOrMake(configDir, now);
  } catch (error) {
    if (error instanceof LocalCaError) {
      throw error;
    }
    throw new LocalCaError(
      `The local certificate authority in ${localCaDir(configDir)} cannot be written: ${(error as Error).message}. Check that this folder is yours and can be written.`,
      { cause: error },
    );
  }
}

async function openOrMake(configDir: string, now: Date): Promise<LocalCa> {
  const dir = localCaDir(configDir);
  for (let attempt = 1; ; attempt++) {
    const files = await readFiles(dir);
    const verdict = judgeCa(files.caCert, files.caKey, now);
    if (verdict.kind === 'damaged') {
      throw new LocalCaError(
        `The local certificate authority in ${dir} cannot be used: ${verdict.reason}. Move that folder away and PG Tunnel makes a new one at the next start (clients that verify the tunnel must then be given the new ${CA_CERT}).`,
      );
    }
    if (verdict.kind === 'keep') {
      const ca = { cert: files.caCert!, key: files.caKey! };
      const renew = judgeServer(files.serverCert, files.serverKey, verdict.certificate, now);
      if (renew === undefined) {
        const server = { cert: files.serverCert!, key: files.serverKey! };
        return { caCertPath: join(dir, CA_CERT), caCertPem: ca.cert, server, changes: [] };
      }
      const server = await (await issuing()).issueServerCertificate(ca, now);
      await writeAtomically(join(dir, SERVER_KEY), server.key, PRIVATE_FILE_MODE);
      await writeAtomically(join(dir, SERVER_CERT), server.cert, PUBLIC_FILE_MODE);
      return {
        caCertPath: join(dir, CA_CERT),
        caCertPem: ca.cert,
        server,
        changes: [`Made a new certificate for the local port: ${renew}.`],
      };
    }
    const changes: string[] = [];
    if (verdict.kind === 'replace') {
      const aside = `${dir}-expired-${now.toISOString().slice(0, 10)}-${randomBytes(2).toString('hex')}`;
      await rename(dir, aside);
      changes.push(
        `The local certificate authority was replaced (${verdict.reason}); the old one is in ${aside}. Clients that verify the tunnel need the new ${join(dir, CA_CERT)}.`,
      );
    }
    const made = await createCa(configDir, dir, now);
    if (made) {
      changes.push(`Made the local certificate authority ${made.caCertPath}.`);
      return { ...made, changes };
    }
    // Another process made it first: use theirs.
    if (attempt >= 3) {
      throw new LocalCaError(`The local certificate authority in ${dir} could not be made.`);
    }
  }
}

interface CaFiles {
  caCert: string | undefined;
  caKey: string | undefined;
  serverCert: string | undefined;
  serverKey: string | undefined;
}

async function readFiles(dir: string): Promise<CaFiles> {
  // Read together, but a fault is told for the first file in this order, whichever read failed
  // first: the same broken folder always gets the same sentence.
  const reads = await Promise.allSettled(
    [CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY].map((name) => readIfThere(join(dir, name))),
  );
  const [caCert, caKey, serverCert, serverKey] = reads.map((read) => {
    if (read.status === 'rejected') {
      throw read.reason;
    }
    return read.value;
  });
  return { caCert, caKey, serverCert, serverKey };
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw new LocalCaError(
      `The local certificate authority's file ${path} cannot be read (${(error as Error).message}). Check that it and its folder are yours.`,
      { cause: error },
    );
  }
}

/**
 * Writes a new CA and server certificate into a folder of their own and renames it to `dir`.
 * Resolves undefined when `dir` appeared meanwhile (another process won).
 */
async function createCa(
  configDir: string,
  dir: string,
  now: Date,
): Promise<Omit<LocalCa, 'changes'> | undefined> {
  const { issueCa, issueServerCertificate } = await issuing();
  const ca = await issueCa(now);
  const server = await issueServerCertificate(ca, now);
  await mkdir(configDir, { recursive: true });
  const staging = join(configDir, `.tls-${randomBytes(6).toString('hex')}`);
  await mkdir(staging, { mode: PRIVATE_DIR_MODE });
  try {
    // mkdir's mode is cut by the umask; the folder must be owner-only whatever it is.
    await chmod(staging, PRIVATE_DIR_MODE);
    await writeFile(join(staging, CA_KEY), ca.key, { mode: PRIVATE_FILE_MODE });
    await writeFile(join(staging, CA_CERT), ca.cert, { mode: PUBLIC_FILE_MODE });
    await writeFile(join(staging, SERVER_KEY), server.key, { mode: PRIVATE_FILE_MODE });
    await writeFile(join(staging, SERVER_CERT), server.cert, { mode: PUBLIC_FILE_MODE });
    // An empty folder in the way (made by hand) would make the rename fail on Windows.
    await rmdir(dir).catch(() => undefined);
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (['EEXIST', 'ENOTEMPTY', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) {
      return undefined;
    }
    throw error;
  }
  return { caCertPath: join(dir, CA_CERT), caCertPem: ca.cert, server };
}

/** Replaces a file in one rename, so that a reader never sees half of it. */
async function writeAtomically(path: string, contents: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, contents, { mode });
  await rename(temporary, path);
}

/**
 * The certificate maker, loaded only when something must be made: most starts find everything in
 * place, and the tunnel, which people keep running all day, then never loads the X.509 library.
 */
function issuing(): Promise<typeof import('./issue.js')> {
  return import('./issue.js');
}
