import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCa, issueServerCertificate, type CertificatePair } from './issue.js';
import {
  CA_LIFETIME_MS,
  judgeCa,
  judgeServer,
  RENEWAL_MARGIN_MS,
  SERVER_LIFETIME_MS,
} from './policy.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ISSUED_AT = new Date('2026-03-01T12:00:00Z');
const after = (ms: number): Date => new Date(ISSUED_AT.getTime() + ms);

let ca: CertificatePair;
let caCertificate: X509Certificate;
let otherCa: CertificatePair;
let server: CertificatePair;

beforeAll(async () => {
  ca = await issueCa(ISSUED_AT);
  caCertificate = new X509Certificate(ca.cert);
  otherCa = await issueCa(ISSUED_AT);
  server = await issueServerCertificate(ca, ISSUED_AT);
});

describe('judgeCa', () => {
  it('no files: make one', () => {
    expect(judgeCa(undefined, undefined, ISSUED_AT)).toEqual({ kind: 'create' });
  });

  it('a whole CA: kept for its life but the last 30 days, then replaced', () => {
    expect(judgeCa(ca.cert, ca.key, ISSUED_AT).kind).toBe('keep');
    const lastKept = after(CA_LIFETIME_MS - RENEWAL_MARGIN_MS - DAY_MS);
    expect(judgeCa(ca.cert, ca.key, lastKept).kind).toBe('keep');
    expect(judgeCa(ca.cert, ca.key, after(CA_LIFETIME_MS - RENEWAL_MARGIN_MS + DAY_MS))).toEqual({
      kind: 'replace',
      reason: expect.stringMatching(/^it expires on 2036-/),
    });
    expect(judgeCa(ca.cert, ca.key, after(CA_LIFETIME_MS + DAY_MS))).toEqual({
      kind: 'replace',
      reason: expect.stringMatching(/^it expired on 2036-/),
    });
  });

  it.each([
    ['the key missing', () => [ca.cert, undefined], 'ca.key is missing'],
    ['the certificate missing', () => [undefined, ca.key], 'ca.crt is missing'],
    ['a certificate that is no PEM', () => ['garbage', ca.key], 'ca.crt is not a CA certificate'],
    ['a server certificate', () => [server.cert, server.key], 'ca.crt is not a CA certificate'],
    ['a key that is no key', () => [ca.cert, 'garbage'], 'ca.key is not a private key'],
    ['the key of another CA', () => [ca.cert, otherCa.key], 'ca.key is not the key of ca.crt'],
  ] as Array<[string, () => [string | undefined, string | undefined], string]>)(
    '%s: damaged, never overwritten',
    (_name, files, reason) => {
      const [cert, key] = files();
      expect(judgeCa(cert, key, ISSUED_AT)).toEqual({ kind: 'damaged', reason });
    },
  );
});

describe('judgeServer', () => {
  it('a fresh certificate of this CA, for every local name: kept until 30 days before its end', () => {
    expect(judgeServer(server.cert, server.key, caCertificate, ISSUED_AT)).toBeUndefined();
    const lastKept = after(SERVER_LIFETIME_MS - RENEWAL_MARGIN_MS - DAY_MS);
    expect(judgeServer(server.cert, server.key, caCertificate, lastKept)).toBeUndefined();
  });

  it('past its renewal point, or expired: made again', () => {
    const renewal = after(SERVER_LIFETIME_MS - RENEWAL_MARGIN_MS + DAY_MS);
    expect(judgeServer(server.cert, server.key, caCertificate, renewal)).toMatch(
      /^it expires on 2027-/,
    );
    const expired = after(SERVER_LIFETIME_MS + DAY_MS);
    expect(judgeServer(server.cert, server.key, caCertificate, expired)).toMatch(
      /^it expired on 2027-/,
    );
  });

  it('missing, unreadable, or its key not its own: made again', () => {
    expect(judgeServer(undefined, server.key, caCertificate, ISSUED_AT)).toBe('there was none');
    expect(judgeServer(server.cert, undefined, caCertificate, ISSUED_AT)).toBe('there was none');
    expect(judgeServer('garbage', server.key, caCertificate, ISSUED_AT)).toBe(
      'server.crt or server.key could not be used',
    );
    expect(judgeServer(server.cert, ca.key, caCertificate, ISSUED_AT)).toBe(
      'server.crt or server.key could not be used',
    );
  });

  it('signed by another CA (the CA was replaced): made again', async () => {
    const foreign = await issueServerCertificate(otherCa, ISSUED_AT);
    expect(judgeServer(foreign.cert, foreign.key, caCertificate, ISSUED_AT)).toBe(
      'it was not signed by the current local CA',
    );
  });

  it('without the local names: made again', () => {
    // The CA's own certificate is signed by the CA, and names nothing.
    expect(judgeServer(ca.cert, ca.key, caCertificate, ISSUED_AT)).toBe(
      'it did not name localhost, 127.0.0.1, ::1',
    );
  });

  it('not valid yet (the clock went back): made again', () => {
    expect(judgeServer(server.cert, server.key, caCertificate, after(-2 * DAY_MS))).toMatch(
      /^it was not valid before 2026-03-01/,
    );
  });
});

describe('issueServerCertificate', () => {
  it('names 127.0.0.1, ::1 and localhost, is signed by the CA, and never outlives it', async () => {
    const certificate = new X509Certificate(server.cert);
    expect(certificate.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(certificate.verify(caCertificate.publicKey)).toBe(true);
    expect(certificate.ca).toBe(false);
    const late = await issueServerCertificate(ca, after(CA_LIFETIME_MS - 10 * DAY_MS));
    expect(new X509Certificate(late.cert).validTo).toBe(caCertificate.validTo);
  });
});
