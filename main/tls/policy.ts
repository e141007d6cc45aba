import { createPrivateKey, X509Certificate } from 'node:crypto';
import { LOCAL_TLS_NAMES } from '../../shared/local-tls.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The local CA's lifetime: people trust it once, so it lasts (10 years). */
export const CA_LIFETIME_MS = 3650 * DAY_MS;
/**
 * The server certificate's lifetime (about a year); it is renewed at a start, or by a running
 * tunnel's check, never by hand.
 */
export const SERVER_LIFETIME_MS = 365 * DAY_MS;
/**
 * A certificate with less than this left is replaced at the next start or check, so that a tunnel
 * started just before, or one whose check was held up (a laptop asleep), would not outlive it.
 */
export const RENEWAL_MARGIN_MS = 30 * DAY_MS;
/**
 * How often a running tunnel with TLS looks whether its certificate is due (renewal.ts): daily,
 * far inside RENEWAL_MARGIN_MS.
 */
export const RENEWAL_CHECK_INTERVAL_MS = DAY_MS;
/**
 * Certificates start this far in the past: a client whose clock is a little behind would otherwise
 * refuse one made a moment ago as "not yet valid".
 */
export const BACKDATE_MS = 60 * 60 * 1000;

/**
 * What to do with the CA found on disk:
 * - create: there is none;
 * - keep: it is whole and valid past the renewal margin;
 * - replace: whole, but expired or about to be (the old one is kept aside, never deleted);
 * - damaged: a file is missing or unreadable, or key and certificate do not match. The CA is what
 *   people trust, so it is never overwritten: `reason` says what is wrong, for a sentence.
 */
export type CaVerdict =
  | { kind: 'create' }
  | { kind: 'keep'; certificate: X509Certificate }
  | { kind: 'replace'; reason: string }
  | { kind: 'damaged'; reason: string };

/** Why the server certificate must be made again, or undefined to keep it. */
export type ServerVerdict = string | undefined;

/**
 * Judges the local CA from its files' contents (undefined: the file does not exist) at `now`.
 * Pure: no I/O; the caller reads the files.
 */
export function judgeCa(
  certPem: string | undefined,
  keyPem: string | undefined,
  now: Date,
): CaVerdict {
  if (certPem === undefined && keyPem === undefined) {
    return { kind: 'create' };
  }
  if (certPem === undefined || keyPem === undefined) {
    return { kind: 'damaged', reason: `${certPem === undefined ? 'ca.crt' : 'ca.key'} is missing` };
  }
  const certificate = parseCertificate(certPem);
  if (!certificate?.ca) {
    return { kind: 'damaged', reason: 'ca.crt is not a CA certificate' };
  }
  const matches = keyMatches(certificate, keyPem);
  if (matches === undefined) {
    return { kind: 'damaged', reason: 'ca.key is not a private key' };
  }
  if (!matches) {
    return { kind: 'damaged', reason: 'ca.key is not the key of ca.crt' };
  }
  const left = expiresAt(certificate).getTime() - now.getTime();
  if (left < RENEWAL_MARGIN_MS) {
    return {
      kind: 'replace',
      reason: `it ${left <= 0 ? 'expired' : 'expires'} on ${day(expiresAt(certificate))}`,
    };
  }
  return { kind: 'keep', certificate };
}

/**
 * Judges the server certificate and key (undefined: missing) against the CA that must have signed
 * them, at `now`: undefined to keep them, else the reason to make new ones, for the log. They are
 * made again when missing, unreadable, not signed by this CA, without one of LOCAL_TLS_NAMES, not yet
 * valid, or within the renewal margin of their end. Pure: no I/O.
 */
export function judgeServer(
  certPem: string | undefined,
  keyPem: string | undefined,
  ca: X509Certificate,
  now: Date,
): ServerVerdict {
  if (certPem === undefined || keyPem === undefined) {
    return 'there was none';
  }
  const certificate = parseCertificate(certPem);
  if (!certificate || !keyMatches(certificate, keyPem)) {
    return 'server.crt or server.key could not be used';
  }
  if (certificate.issuer !== ca.subject || !certificate.verify(ca.publicKey)) {
    return 'it was not signed by the current local CA';
  }
  const missing = [
    ...LOCAL_TLS_NAMES.dns.filter((name) => certificate.checkHost(name) === undefined),
    ...LOCAL_TLS_NAMES.ip.filter((ip) => certificate.checkIP(ip) === undefined),
  ];
  if (missing.length > 0) {
    return `it did not name ${missing.join(', ')}`;
  }
  if (new Date(certificate.validFrom) > now) {
    return `it was not valid before ${day(new Date(certificate.validFrom))}`;
  }
  const end = serverCertificateEnd(certificate, ca);
  if (end.getTime() - now.getTime() < RENEWAL_MARGIN_MS) {
    return `it ${end <= now ? 'expired' : 'expires'} on ${day(end)}`;
  }
  return undefined;
}

/** When a certificate stops being valid. */
function expiresAt(certificate: X509Certificate): Date {
  return new Date(certificate.validTo);
}

/** A chain is only as valid as its CA: the earlier of the server certificate's end and the CA's. */
function serverCertificateEnd(certificate: X509Certificate, ca: X509Certificate): Date {
  const own = expiresAt(certificate);
  const ofCa = expiresAt(ca);
  return own < ofCa ? own : ofCa;
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** Whether `keyPem` is the private key of `certificate`; undefined when it is no key at all. */
function keyMatches(certificate: X509Certificate, keyPem: string): boolean | undefined {
  try {
    return certificate.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return undefined;
  }
}

const day = (date: Date): string => date.toISOString().slice(0, 10);
