import { createHash } from 'node:crypto';

/**
 * The `tls-server-end-point` channel binding of RFC 5929 §4.1, which SCRAM-SHA-256-PLUS binds a
 * Postgres login to (Postgres docs, "SASL Authentication"): the hash of the server certificate
 * (DER), with the hash function of the certificate's signature algorithm, except that MD5 and
 * SHA-1 are replaced by SHA-256. Postgres computes the same on its side
 * (src/backend/libpq/be-secure-openssl.c, be_tls_get_certificate_hash).
 *
 * @param der the server certificate as DER bytes (Node's `getPeerCertificate().raw`).
 * @returns the channel binding data, 32 to 64 bytes.
 * @throws Error naming the algorithm when it has no single hash function (Ed25519, Ed448) or is not
 *   known, as Postgres refuses those too; or when the bytes are not a certificate.
 */
export function tlsServerEndPoint(der: Buffer): Buffer {
  return createHash(endPointHash(signatureAlgorithm(der)))
    .update(der)
    .digest();
}

/** Signature algorithm OIDs (RFC 8017 A.2.4, RFC 5758 §3.2) → the hash they sign with. */
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224', // sha224WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512', // sha512WithRSAEncryption
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224', // ecdsa-with-SHA224
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512', // ecdsa-with-SHA512
};

/** RSASSA-PSS (RFC 4055 §3.1): the hash is in its parameters, SHA-1 when they leave it out. */
const RSASSA_PSS = '1.2.840.113549.1.1.10';

/** Hash algorithm OIDs that RSASSA-PSS parameters name (RFC 4055 §2.1, RFC 5754 §2). */
const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

function endPointHash(signatureHash: string): string {
  return signatureHash === 'md5' || signatureHash === 'sha1' ? 'sha256' : signatureHash;
}

/** DER tags read here (X.690 §8). */
const Tag = { Sequence: 0x30, Oid: 0x06, ContextZero: 0xa0 } as const;

/**
 * The hash of `Certificate.signatureAlgorithm` (RFC 5280 §4.1.1.2): the certificate is a SEQUENCE
 * of tbsCertificate (skipped), then the AlgorithmIdentifier SEQUENCE whose first element is the OID.
 */
function signatureAlgorithm(der: Buffer): string {
  const certificate = new DerReader(der).enter(Tag.Sequence);
  certificate.skip(Tag.Sequence); // tbsCertificate
  const algorithm = certificate.enter(Tag.Sequence);
  const oid = algorithm.oid();
  const known = SIGNATURE_HASHES[oid];
  if (known) {
    return known;
  }
  if (oid === RSASSA_PSS) {
    return pssHash(algorithm);
  }
  throw new Error(
    `the server certificate's signature algorithm (${oid}) has no hash for channel binding`,
  );
}

/** RSASSA-PSS-params: [0] hashAlgorithm AlgorithmIdentifier, SHA-1 when absent. */
function pssHash(algorithm: DerReader): string {
  if (algorithm.done() || algorithm.peek() !== Tag.Sequence) {
    return 'sha1';
  }
  const params = algorithm.enter(Tag.Sequence);
  if (params.done() || params.peek() !== Tag.ContextZero) {
    return 'sha1';
  }
  const oid = params.enter(Tag.ContextZero).enter(Tag.Sequence).oid();
  const hash = HASH_OIDS[oid];
  if (!hash) {
    throw new Error(`the server certificate's RSASSA-PSS hash (${oid}) is not known`);
  }
  return hash;
}

/** Reads DER elements (X.690 §8.1: tag, length, contents) within one range of bytes. */
class DerReader {
  constructor(
    private readonly bytes: Buffer,
    private offset = 0,
    private readonly end = bytes.length,
  ) {}

  done(): boolean {
    return this.offset >= this.end;
  }

  peek(): number {
    return this.bytes[this.offset]!;
  }

  /** A reader over the contents of the next element, which must have `tag`; moves past it. */
  enter(tag: number): DerReader {
    const { start, end } = this.element(tag);
    this.offset = end;
    return new DerReader(this.bytes, start, end);
  }

  skip(tag: number): void {
    this.offset = this.element(tag).end;
  }

  /** The next element as an OBJECT IDENTIFIER in dotted form (X.690 §8.19). */
  oid(): string {
    const { start, end } = this.element(Tag.Oid);
    this.offset = end;
    const values: number[] = [];
    let value = 0;
    for (let i = start; i < end; i++) {
      const byte = this.bytes[i]!;
      value = value * 128 + (byte & 0x7f);
      if (byte < 0x80) {
        values.push(value);
        value = 0;
      }
    }
    // The first subidentifier holds the first two arcs: 40 × X + Y, X being 2 from 80 on.
    const [first = 0, ...rest] = values;
    const x = first < 80 ? Math.floor(first / 40) : 2;
    return [x, first - 40 * x, ...rest].join('.');
  }

  private element(tag: number): { start: number; end: number } {
    if (this.done() || this.bytes[this.offset] !== tag) {
      throw new Error('the server certificate is not well-formed DER');
    }
    let length = this.bytes[this.offset + 1];
    let start = this.offset + 2;
    if (length === undefined) {
      throw new Error('the server certificate is not well-formed DER');
    }
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 4) {
        throw new Error('the server certificate is not well-formed DER');
      }
      length = 0;
      for (let i = 0; i < octets; i++) {
        length = length * 256 + (this.bytes[start + i] ?? 0);
      }
      start += octets;
    }
    const end = start + length;
    if (end > this.end) {
      throw new Error('the server certificate is not well-formed DER');
    }
    return { start, end };
  }
}
