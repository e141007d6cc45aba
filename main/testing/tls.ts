import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestCertificate {
  certPath: string;
  keyPath: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl into `dir`. */
export async function makeCertificate(dir: string): Promise<TestCertificate> {
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  return { certPath, keyPath };
}

/** The settings that turn TLS on in a test Postgres whose data directory has installCertificate's files. */
export const POSTGRES_TLS_FLAGS = [
  '-c',
  'ssl=on',
  '-c',
  'ssl_cert_file=server.crt',
  '-c',
  'ssl_key_file=server.key',
];

/**
 * Copies a certificate and its key into a test Postgres's data directory (as server.crt and
 * server.key, for POSTGRES_TLS_FLAGS), before it starts: Postgres reads its key only if the
 * server's own user owns it and nobody else can read it.
 */
export async function installCertificate(dataDir: string, cert: TestCertificate): Promise<void> {
  const { uid, gid } = await stat(dataDir);
  for (const [from, name] of [
    [cert.certPath, 'server.crt'],
    [cert.keyPath, 'server.key'],
  ] as const) {
    await copyFile(from, join(dataDir, name));
    await chown(join(dataDir, name), uid, gid);
    await chmod(join(dataDir, name), 0o600);
  }
}
