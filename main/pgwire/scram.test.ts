import { describe, it, expect, vi } from 'vitest';
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { ScramClient, ScramKeyCache } from './scram.js';
import { md5PasswordHash } from './md5.js';

/** node-postgres's own SCRAM client and md5 hash: an independent implementation to compare with. */
interface PgSaslSession {
  message: string;
  clientNonce: string;
  response?: string;
  serverSignature?: string;
}
const require = createRequire(import.meta.url);
const pgSasl = require('pg/lib/crypto/sasl.js') as {
  continueSession(session: PgSaslSession, password: string, serverData: string): Promise<void>;
  finalizeSession(session: PgSaslSession, serverData: string): void;
};
const pgCryptoUtils = require('pg/lib/crypto/utils.js') as {
  postgresMd5PasswordHash(user: string, password: string, salt: Buffer): Promise<string>;
};

/** RFC 7677 section 3: the SCRAM-SHA-256 example exchange. */
const RFC7677 = {
  password: 'pencil',
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirstBare: 'n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst:
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  iterations: 4096,
};

const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ b[i]!));

/**
 * The server side of SCRAM-SHA-256 written from RFC 5802 section 3, keeping only StoredKey and
 * ServerKey as Postgres does. Independent of the code under test.
 */
class RfcScramServer {
  readonly salt: Buffer;
  private readonly storedKey: Buffer;
  private readonly serverKey: Buffer;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    password: string,
    readonly iterations = 4096,
    salt: Buffer = randomBytes(16),
    private readonly serverNonce = randomBytes(18).toString('base64'),
  ) {
    this.salt = salt;
    // SaltedPassword := Hi(Normalize(password), salt, i); Hi is PBKDF2 with HMAC-SHA-256.
    const saltedPassword = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
    this.storedKey = sha256(hmac(saltedPassword, 'Client Key'));
    this.serverKey = hmac(saltedPassword, 'Server Key');
  }

  /** client-first-message → server-first-message. */
  first(clientFirst: string): string {
    expect(clientFirst.startsWith('n,,')).toBe(true); // gs2-header: no channel binding, no authzid
    this.clientFirstBare = clientFirst.slice(3);
    const match = /^n=([^,]*),r=([^,]+)$/.exec(this.clientFirstBare);
    expect(match).not.toBeNull();
    this.nonce = match![2]! + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.salt.toString('base64')},i=${this.iterations}`;
    return this.serverFirst;
  }

  /**
   * client-final-message → server-final-message, or undefined when the proof is wrong (unless
   * `checkProof` is false: an impostor that signs anyway).
   */
  final(clientFinal: string, checkProof = true): string | undefined {
    const match = /^(c=([^,]*),r=([^,]*)),p=([^,]*)$/.exec(clientFinal);
    expect(match).not.toBeNull();
    const [, withoutProof, channelBinding, nonce, proof] = match!;
    expect(Buffer.from(channelBinding!, 'base64').toString()).toBe('n,,');
    expect(nonce).toBe(this.nonce);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.storedKey, authMessage);
    const clientKey = xor(Buffer.from(proof!, 'base64'), clientSignature);
    const proofOk = clientKey.length === 32 && timingSafeEqual(sha256(clientKey), this.storedKey);
    if (checkProof && !proofOk) {
      return undefined;
    }
    return `v=${hmac(this.serverKey, authMessage).toString('base64')}`;
  }
}

/** The nonce ScramClient put in its client-first-message. */
function nonceOf(clientFirst: string): string {
  return /,r=([^,]+)$/.exec(clientFirst)![1]!;
}

describe('RFC 7677 test vector', () => {
  it('is reproduced by the independent server (a check of the test itself)', () => {
    const server = new RfcScramServer(
      RFC7677.password,
      RFC7677.iterations,
      RFC7677.salt,
      '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    );
    expect(server.first(`n,,${RFC7677.clientFirstBare}`)).toBe(RFC7677.serverFirst);
    expect(server.final(RFC7677.clientFinal)).toBe(RFC7677.serverFinal);
  });

  it('ScramKeyCache derives keys that give the RFC proof and server signature', () => {
    const keys = new ScramKeyCache().derive(RFC7677.password, RFC7677.salt, RFC7677.iterations);
    const withoutProof = RFC7677.clientFinal.slice(0, RFC7677.clientFinal.indexOf(',p='));
    const authMessage = `${RFC7677.clientFirstBare},${RFC7677.serverFirst},${withoutProof}`;
    const proof = xor(keys.clientKey, hmac(keys.storedKey, authMessage)).toString('base64');
    expect(`${withoutProof},p=${proof}`).toBe(RFC7677.clientFinal);
    expect(`v=${hmac(keys.serverKey, authMessage).toString('base64')}`).toBe(RFC7677.serverFinal);
    expect(keys.storedKey).toEqual(sha256(keys.clientKey));
  });

  it('ScramClient produces the RFC client-final and accepts the RFC server-final', () => {
    // ScramClient picks a random nonce and sends "n=*" (Postgres ignores the SCRAM user name),
    // so the vector's nonce and "n=user" are put in its place to replay the RFC exchange.
    const client = new ScramClient(RFC7677.password, new ScramKeyCache());
    expect(client.firstMessage()).toMatch(/^n,,n=\*,r=[^,]+$/);
    Object.assign(client, {
      clientNonce: RFC7677.clientNonce,
      clientFirstBare: RFC7677.clientFirstBare,
    });
    expect(client.finalMessage(RFC7677.serverFirst)).toBe(RFC7677.clientFinal);
    expect(() => client.verifyServerFinal(RFC7677.serverFinal)).not.toThrow();
  });
});

describe('ScramClient', () => {
  it('sends a client-first-message with no channel binding, user "*" and a fresh nonce', () => {
    const cache = new ScramKeyCache();
    const first = new ScramClient('pw', cache).firstMessage();
    const second = new ScramClient('pw', cache).firstMessage();
    expect(first).toMatch(/^n,,n=\*,r=[\x21-\x2b\x2d-\x7e]{18,}$/); // printable, no ','
    expect(nonceOf(first)).not.toBe(nonceOf(second));
  });

  it('completes an exchange with an RFC 5802 server', () => {
    const password = 'correct horse battery staple';
    const server = new RfcScramServer(password);
    const client = new ScramClient(password, new ScramKeyCache());
    const serverFirst = server.first(client.firstMessage());
    const serverFinal = server.final(client.finalMessage(serverFirst));
    expect(serverFinal).toBeDefined();
    expect(() => client.verifyServerFinal(serverFinal!)).not.toThrow();
  });

  it('sends the same client-final-message as node-postgres for the same nonce', async () => {
    const password = 'p@ss,w=rd';
    const server = new RfcScramServer(password, 4096);
    const client = new ScramClient(password, new ScramKeyCache());
    const clientFirst = client.firstMessage();
    const serverFirst = server.first(clientFirst);
    const session: PgSaslSession = {
      message: 'SASLInitialResponse',
      clientNonce: nonceOf(clientFirst),
    };
    await pgSasl.continueSession(session, password, serverFirst);
    expect(client.finalMessage(serverFirst)).toBe(session.response);
  });

  it('is refused by the server when the password is wrong', () => {
    const server = new RfcScramServer('right');
    const client = new ScramClient('wrong', new ScramKeyCache());
    const serverFirst = server.first(client.firstMessage());
    expect(server.final(client.finalMessage(serverFirst))).toBeUndefined();
  });

  it('rejects a server signature made with another password', () => {
    const client = new ScramClient('secret', new ScramKeyCache());
    const impostor = new RfcScramServer('not the secret');
    const serverFirst = impostor.first(client.firstMessage());
    const clientFinal = client.finalMessage(serverFirst);
    expect(impostor.final(clientFinal)).toBeUndefined(); // it cannot check our proof...
    const forged = impostor.final(clientFinal, false)!; // ...and signs with its own keys anyway
    expect(forged).toMatch(/^v=/);
    expect(() => client.verifyServerFinal(forged)).toThrow(/prove/);
  });

  it('rejects a server-final that is tampered with, truncated, missing or an error', () => {
    const password = 'secret';
    const server = new RfcScramServer(password);
    const client = new ScramClient(password, new ScramKeyCache());
    const serverFinal = server.final(client.finalMessage(server.first(client.firstMessage())))!;
    const signature = Buffer.from(serverFinal.slice(2), 'base64');
    const flipped = Buffer.from(signature);
    flipped[0] = flipped[0]! ^ 1;
    for (const bad of [
      `v=${flipped.toString('base64')}`,
      `v=${signature.subarray(0, 31).toString('base64')}`,
      'v=',
      '',
      'e=invalid-proof',
    ]) {
      expect(() => client.verifyServerFinal(bad), JSON.stringify(bad)).toThrow(/prove/);
    }
    expect(() => client.verifyServerFinal(serverFinal)).not.toThrow();
  });

  it('is finished only once the server proved it knows the password', () => {
    const password = 'secret';
    const server = new RfcScramServer(password);
    const client = new ScramClient(password, new ScramKeyCache());
    const serverFinal = server.final(client.finalMessage(server.first(client.firstMessage())))!;
    expect(client.finished).toBe(false);
    client.verifyServerFinal(serverFinal);
    expect(client.finished).toBe(true);
  });

  it('binds to the connection with SCRAM-SHA-256-PLUS: the GS2 header and the data in c=', () => {
    const data = randomBytes(32);
    const bound = new ScramClient('pw', new ScramKeyCache(), { flag: 'p', data });
    expect(bound.mechanism).toBe('SCRAM-SHA-256-PLUS');
    const first = bound.firstMessage();
    expect(first).toMatch(/^p=tls-server-end-point,,n=\*,r=/);
    const serverFirst = `r=${nonceOf(first)}server,s=${randomBytes(16).toString('base64')},i=4096`;
    const c = /(?:^|,)c=([^,]+)/.exec(bound.finalMessage(serverFirst))![1]!;
    expect(Buffer.from(c, 'base64')).toEqual(
      Buffer.concat([Buffer.from('p=tls-server-end-point,,'), data]),
    );

    // Able to bind, but offered no -PLUS mechanism: says so with 'y', which Postgres checks.
    const able = new ScramClient('pw', new ScramKeyCache(), { flag: 'y' });
    expect(able.mechanism).toBe('SCRAM-SHA-256');
    expect(able.firstMessage()).toMatch(/^y,,n=\*,r=/);
  });

  it('rejects a server-final before any client-final was sent', () => {
    const client = new ScramClient('secret', new ScramKeyCache());
    expect(() => client.verifyServerFinal(`v=${randomBytes(32).toString('base64')}`)).toThrow();
  });

  it('rejects a nonce that does not extend ours, or only repeats it', () => {
    const client = new ScramClient('secret', new ScramKeyCache());
    const ours = nonceOf(client.firstMessage());
    const salt = randomBytes(16).toString('base64');
    // Our nonce with its last character changed: '!' is never in our (base64) nonce. Cut to
    // `slice(0, -1) + 'abc'` it still extended ours whenever ours ended in 'a', one run in 64.
    for (const nonce of [`x${ours}abc`, `${ours.slice(0, -1)}!abc`, ours, '']) {
      expect(() => client.finalMessage(`r=${nonce},s=${salt},i=4096`), nonce).toThrow(/nonce/);
    }
    expect(() => client.finalMessage(`s=${salt},i=4096`)).toThrow(/nonce/);
  });

  it('rejects a server-first-message without salt or with a bad iteration count', () => {
    const client = new ScramClient('secret', new ScramKeyCache());
    const nonce = `${nonceOf(client.firstMessage())}server`;
    const salt = randomBytes(16).toString('base64');
    for (const serverFirst of [
      `r=${nonce},i=4096`,
      `r=${nonce},s=${salt}`,
      `r=${nonce},s=${salt},i=0`,
      `r=${nonce},s=${salt},i=-1`,
      `r=${nonce},s=${salt},i=1.5`,
      `r=${nonce},s=${salt},i=many`,
    ]) {
      expect(() => client.finalMessage(serverFirst), serverFirst).toThrow(/malformed/);
    }
  });
});

describe('ScramKeyCache', () => {
  it('derives once per (salt, iterations) and reuses the keys', () => {
    const cache = new ScramKeyCache();
    const salt = randomBytes(16);
    const first = cache.derive('pw', salt, 4096);
    expect(cache.derive('pw', Buffer.from(salt), 4096)).toBe(first);
    expect(cache.derive('pw', randomBytes(16), 4096)).not.toBe(first);
    const otherIterations = cache.derive('pw', salt, 4097);
    expect(otherIterations).not.toBe(first);
    expect(otherIterations.clientKey).not.toEqual(first.clientKey);
    expect(cache.derive('pw', salt, 4097)).toBe(otherIterations);
  });

  it('is used by every ScramClient sharing it, and logins still succeed with cached keys', () => {
    const password = 'shared role password';
    const cache = new ScramKeyCache();
    const derive = vi.spyOn(cache, 'derive');
    const salt = randomBytes(16);
    const results = [];
    for (let i = 0; i < 3; i++) {
      const server = new RfcScramServer(password, 4096, salt);
      const client = new ScramClient(password, cache);
      const serverFinal = server.final(client.finalMessage(server.first(client.firstMessage())));
      expect(serverFinal).toBeDefined();
      client.verifyServerFinal(serverFinal!);
      results.push(derive.mock.results[i]!.value);
    }
    expect(derive).toHaveBeenCalledTimes(3);
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
  });
});

describe('password normalization (SASLprep, RFC 4013)', () => {
  /**
   * SCRAM secrets a real PostgreSQL 15 server stored for these passwords
   * (CREATE ROLE ... PASSWORD ..., then SELECT rolpassword FROM pg_authid): the keys a login must
   * derive. Postgres runs the password through SASLprep (src/common/saslprep.c) and, when SASLprep
   * fails (prohibited characters), uses the raw password.
   */
  const fromPostgres = [
    {
      name: 'plain ASCII',
      password: 'IX',
      secret:
        'SCRAM-SHA-256$4096:H6IL4gWTrA8SGyGDbGSYXg==$lx0fHogPv3UKa3YZsnavpYsCvAuuQ0gCBaq1N1T8M0I=:1GTo1zE5cALmcsL1NIJK4MMUvRMQ8CS1i3+WqjKaBFw=',
    },
    {
      name: 'U+00AA (NFKC maps it to "a")',
      password: '\u00AA',
      secret:
        'SCRAM-SHA-256$4096:zw8EWgQvs4nl9jBKlTuxYQ==$MMoKbB0+tE1QXT2Um1u1NfklWgBRwrUPgB9cGsJkiqI=:Je2YJINaRhS5rc+6MSw4iFxLeQ7Fo3zI6ApL4dUVijo=',
    },
    {
      name: 'U+2168 ROMAN NUMERAL NINE (NFKC maps it to "IX")',
      password: '\u2168',
      secret:
        'SCRAM-SHA-256$4096:VR2qbGzyu3Yi3VtXnNWkaA==$GZpRcjFt8PQpzQqhGcdWXHyPgUJJYymTYM4wtzHMfjs=:HZPmezC/xi/L0aIL/QpeY+MDVupYnA7Uopvu2ywWnss=',
    },
    {
      name: 'U+00A0 NO-BREAK SPACE (mapped to a space)',
      password: 'pass\u00A0word',
      secret:
        'SCRAM-SHA-256$4096:YyQP95OFjaZ17xQZLflA1w==$QWqHXD6TVIl+wW/sZDU2y5Gd3ZT/nbGietnN8NPXXso=:io4oXOl9lfVe4Dp9xpDJ62khAsS4gLkUQO6ZLh3hJQk=',
    },
    {
      name: 'U+0007 (prohibited: Postgres uses the raw password)',
      password: 'a\u0007b',
      secret:
        'SCRAM-SHA-256$4096:UC8Z2p254FMzIYfNmut8Iw==$fbSPC/oR9ggDnZFRXEFFjAkMbFXaEBiSSWdTT05Gjl4=:hBZRBaFMUYG/igVEhHt0te7FR3JQKaeRuf3F+lWrBQs=',
    },
    {
      // RFC 4013 section 3, example 1: "I<U+00AD>X" prepares to "IX".
      name: 'U+00AD SOFT HYPHEN (RFC 4013 table B.1: mapped to nothing)',
      password: 'I\u00ADX',
      secret:
        'SCRAM-SHA-256$4096:a0GHc5LAjGtxmxfC6f42jQ==$jaB8WvfRh+oKy0Qk83Hbjp/gZnZBEioLTG9+bxee1Xk=:1DCdGN5q63NraR3skno7h9HDcuZ19hCE44qHbDp8+9Q=',
    },
    {
      name: 'U+200B ZERO WIDTH SPACE (RFC 3454 table B.1: mapped to nothing)',
      password: 'pass\u200Bword',
      secret:
        'SCRAM-SHA-256$4096:oTIdA+7wvXC2IroppESHGQ==$3pjAbpIcIOEXxIi4OCEw49x3p97VK1nT+QQW8IHLAkg=:1dO8HFB1uQx19T/NShy4LqRBGi/a1pbvIyclDMR+luY=',
    },
    {
      name: 'U+00A0 with prohibited U+0007 (SASLprep fails: Postgres uses the raw password)',
      password: '\u00A0\u0007',
      secret:
        'SCRAM-SHA-256$4096:pNR9ikyoTKzmgaFYHmo/ow==$n4nf1LXn9mbDuJu8ltQDf5W1q/nQt+AUlDqFJ2oWAJw=:ZfwvaLQDYMXcSMp/LfHdOqLPQW8b+ghz+N3ExVSuJug=',
    },
  ];

  for (const { name, password, secret } of fromPostgres) {
    it(`derives the keys Postgres stored for a password with ${name}`, () => {
      const [, iterations, salt, storedKey, serverKey] =
        /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(secret)!;
      const keys = new ScramKeyCache().derive(
        password,
        Buffer.from(salt!, 'base64'),
        Number(iterations),
      );
      expect(keys.storedKey.toString('base64')).toBe(storedKey);
      expect(keys.serverKey.toString('base64')).toBe(serverKey);
    });
  }
});

describe('md5PasswordHash', () => {
  const salt = Buffer.from([0x9a, 0x00, 0x2c, 0xff]);

  it("is 'md5' + md5hex(md5hex(password + user) + salt), computed step by step", () => {
    const md5hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
    const inner = md5hex('secret' + 'alice');
    const expected = 'md5' + md5hex(Buffer.concat([Buffer.from(inner, 'latin1'), salt]));
    expect(md5PasswordHash('alice', 'secret', salt)).toBe(expected);
    expect(expected).toMatch(/^md5[0-9a-f]{32}$/);
  });

  it('matches node-postgres for ASCII and non-ASCII credentials', async () => {
    for (const [user, password] of [
      ['alice', 'secret'],
      ['jürgen', 'pässwörd 🐘'],
    ] as const) {
      expect(md5PasswordHash(user, password, salt)).toBe(
        await pgCryptoUtils.postgresMd5PasswordHash(user, password, salt),
      );
    }
  });

  it("matches the md5 secret Postgres stores ('md5' + md5hex(password + user))", () => {
    // A PostgreSQL server stores md5 passwords as 'md5' + md5(password || user); the wire answer is
    // then 'md5' + md5(stored hex + salt). For user "postgres", password "postgres" the stored value
    // is the widely documented md53175bce1d3201d16594cebf9d7eb3f9d.
    const stored = '3175bce1d3201d16594cebf9d7eb3f9d';
    const expected =
      'md5' +
      createHash('md5')
        .update(Buffer.concat([Buffer.from(stored), salt]))
        .digest('hex');
    expect(md5PasswordHash('postgres', 'postgres', salt)).toBe(expected);
  });
});
