// @peculiar/x509 resolves its parts with tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  cryptoProvider,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate as PeculiarCertificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { LOCAL_TLS_NAMES } from '../../shared/local-tls.js';
import { BACKDATE_MS, CA_LIFETIME_MS, SERVER_LIFETIME_MS } from './policy.js';

/** A certificate and its private key, both PEM (the key as unencrypted PKCS#8). */
export interface CertificatePair {
  cert: string;
  key: string;
}

/** ECDSA on P-256 with SHA-256: small, fast to make, and taken by every TLS client in use. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' };

// Node's WebCrypto, which the library's DOM-typed API takes as it is.
cryptoProvider.set(webcrypto as ReturnType<typeof cryptoProvider.get>);

/**
 * Makes the local certificate authority: a self-signed CA certificate valid from `now` (less
 * BACKDATE_MS) for CA_LIFETIME_MS, which may sign end-entity certificates only (path length 0).
 */
export async function issueCa(now: Date): Promise<CertificatePair> {
  const keys = await newKeyPair();
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=PG Tunnel local CA ${randomBytes(4).toString('hex')}, O=PG Tunnel`,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_LIFETIME_MS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certificate.toString('pem'), key: await exportKey(keys.privateKey) };
}

/**
 * Makes a server certificate for LOCAL_TLS_NAMES signed by `ca`, valid from `now` (less BACKDATE_MS)
 * for SERVER_LIFETIME_MS, but never past the CA's own end.
 */
export async function issueServerCertificate(
  ca: CertificatePair,
  now: Date,
): Promise<CertificatePair> {
  const caCertificate = new PeculiarCertificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(ca.key).export({ format: 'der', type: 'pkcs8' }),
    KEY_ALGORITHM,
    false,
    ['sign'],
  );
  const keys = await newKeyPair();
  const end = new Date(now.getTime() + SERVER_LIFETIME_MS);
  const certificate = await X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=localhost, O=PG Tunnel',
    issuer: caCertificate.subject,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: end < caCertificate.notAfter ? end : caCertificate.notAfter,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      new SubjectAlternativeNameExtension([
        ...LOCAL_TLS_NAMES.dns.map((value) => ({ type: 'dns' as const, value })),
        ...LOCAL_TLS_NAMES.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
      await AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  return { cert: certificate.toString('pem'), key: await exportKey(keys.privateKey) };
}

function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** 16 random bytes, first bit clear: RFC 5280 4.1.2.2 wants a positive number of at most 20 bytes. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}
