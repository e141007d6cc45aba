import { execFile } from 'node:child_process';
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
