import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const openssl = (args: string[]): Promise<unknown> => promisify(execFile)('openssl', args);

export interface TestCertificate {
  certPath: string;
  keyPath: string;
}

/** The names a test server's certificate is for, as openssl's subjectAltName writes them. */
const LOOPBACK_NAMES = 'IP:127.0.0.1,DNS:localhost';

/** A private certificate authority: its certificate is what clients trust (sslrootcert). */
export interface TestCertificateAuthority extends TestCertificate {
  dir: string;
}

/** A CA made by openssl into `dir` (ca.crt, ca.key), valid for two days. */
export async function makeCertificateAuthority(dir: string): Promise<TestCertificateAuthority> {
  return { dir, ...(await selfSigned(dir, 'ca', '/CN=PG Tunnel test CA')) };
}

/**
 * A self-signed server certificate for 127.0.0.1 and localhost, made by openssl into `dir`
 * (server.crt, server.key), valid for two days: its own CA, so clients trust its certPath
 * (NODE_EXTRA_CA_CERTS) where no test is about the chain.
 */
export async function makeCertificate(dir: string): Promise<TestCertificate> {
  return selfSigned(dir, 'server', '/CN=localhost', [
    '-addext',
    `subjectAltName=${LOOPBACK_NAMES}`,
  ]);
}

/** `<name>.crt` and `<name>.key` in `dir`: a self-signed RSA certificate for `subject`. */
async function selfSigned(
  dir: string,
  name: string,
  subject: string,
  extensions: string[] = [],
): Promise<TestCertificate> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    subject,
    ...extensions,
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  return { certPath, keyPath };
}

export interface ServerCertificateOptions {
  /** File names in the CA's directory: `<name>.crt`, `<name>.key`. */
  name: string;
  /** The subject's CN (default localhost); a client certificate's is the role it logs in as. */
  commonName?: string;
  /** subjectAltName (default 127.0.0.1 and localhost). */
  altNames?: string;
  /** Negative: expired that many days ago. Default 2. */
  days?: number;
  /** The key: RSA 2048 bits (the default) or ECDSA on P-384. */
  key?: 'rsa' | 'ec-p384';
  /** The signature's digest (default sha256): channel binding hashes with it. */
  digest?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** Sign with RSASSA-PSS rather than PKCS#1 v1.5 (an RSA key only). */
  pss?: boolean;
}

/** A server certificate signed by `ca`, for 127.0.0.1 and localhost unless told otherwise. */
export async function issueServerCertificate(
  ca: TestCertificateAuthority,
  {
    name,
    commonName = 'localhost',
    altNames = LOOPBACK_NAMES,
    days = 2,
    key = 'rsa',
    digest = 'sha256',
    pss = false,
  }: ServerCertificateOptions,
): Promise<TestCertificate> {
  const certPath = join(ca.dir, `${name}.crt`);
  const keyPath = join(ca.dir, `${name}.key`);
  const request = join(ca.dir, `${name}.csr`);
  const extensions = join(ca.dir, `${name}.ext`);
  const newKey = key === 'rsa' ? ['rsa:2048'] : ['ec', '-pkeyopt', 'ec_paramgen_curve:P-384'];
  await openssl([
    'req',
    '-newkey',
    ...newKey,
    '-nodes',
    '-subj',
    `/CN=${commonName}`,
    '-keyout',
    keyPath,
    '-out',
    request,
  ]);
  await writeFile(extensions, `subjectAltName=${altNames}\n`);
  await openssl([
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-CAcreateserial',
    '-days',
    String(days),
    `-${digest}`,
    ...(pss ? ['-sigopt', 'rsa_padding_mode:pss'] : []),
    '-extfile',
    extensions,
    '-out',
    certPath,
  ]);
  return { certPath, keyPath };
}

/**
 * Revokes `certificate` (one `ca` issued) and writes the CA's certificate revocation list, PEM:
 * resolves with its path (`<dir>/ca.crl`).
 */
export async function revokeCertificate(
  ca: TestCertificateAuthority,
  certificate: TestCertificate,
): Promise<string> {
  const config = join(ca.dir, 'ca.cnf');
  const crlPath = join(ca.dir, 'ca.crl');
  await writeFile(join(ca.dir, 'index.txt'), '');
  await writeFile(join(ca.dir, 'crlnumber'), '01\n');
  await writeFile(
    config,
    `[ca]\ndefault_ca = test\n[test]\ndatabase = ${join(ca.dir, 'index.txt')}\ncrlnumber = ${join(ca.dir, 'crlnumber')}\ndefault_md = sha256\ndefault_crl_days = 2\n`,
  );
  const signer = ['-config', config, '-keyfile', ca.keyPath, '-cert', ca.certPath];
  await openssl(['ca', ...signer, '-revoke', certificate.certPath]);
  await openssl(['ca', ...signer, '-gencrl', '-out', crlPath]);
  return crlPath;
}
