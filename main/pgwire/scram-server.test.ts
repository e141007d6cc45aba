import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ScramClient, ScramKeyCache, SCRAM_SHA_256, SCRAM_SHA_256_PLUS } from './scram.js';
import { ScramServer, scramVerifier, type ScramStep } from './scram-server.js';

/** The server side against the client side the tunnel logs in to databases with. */
const verifier = scramVerifier('correct horse');
const endPoint = randomBytes(32);

function message(step: ScramStep): string {
  if (!step.ok) {
    throw new Error(step.error.message);
  }
  return step.message;
}

describe('ScramServer', () => {
  it('logs in a client that knows the password, bound to the TLS end point, and proves itself back', () => {
    const server = new ScramServer(verifier, 'app', endPoint);
    expect(server.mechanisms).toEqual([SCRAM_SHA_256_PLUS, SCRAM_SHA_256]);
    const client = new ScramClient('correct horse', new ScramKeyCache(), {
      flag: 'p',
      data: endPoint,
    });
    const serverFirst = message(server.first(client.mechanism, client.firstMessage()));
    const serverFinal = message(server.final(client.finalMessage(serverFirst)));
    client.verifyServerFinal(serverFinal);
    expect(client.finished).toBe(true);
  });

  it('refuses a wrong password with 28P01 in Postgres words', () => {
    const server = new ScramServer(verifier, 'app', undefined);
    const client = new ScramClient('wrong', new ScramKeyCache());
    const serverFirst = message(server.first(SCRAM_SHA_256, client.firstMessage()));
    expect(server.final(client.finalMessage(serverFirst))).toEqual({
      ok: false,
      error: {
        severity: 'FATAL',
        code: '28P01',
        message: 'password authentication failed for user "app"',
      },
    });
  });

  it('refuses channel binding data of another certificate (a relay in between)', () => {
    const server = new ScramServer(verifier, 'app', endPoint);
    const client = new ScramClient('correct horse', new ScramKeyCache(), {
      flag: 'p',
      data: randomBytes(32),
    });
    const serverFirst = message(server.first(client.mechanism, client.firstMessage()));
    const step = server.final(client.finalMessage(serverFirst));
    expect(step).toMatchObject({
      ok: false,
      error: { code: '08P01', message: 'SCRAM channel binding check failed' },
    });
  });

  it("refuses a client that says it could bind ('y') when the server offered -PLUS: a downgrade", () => {
    const server = new ScramServer(verifier, 'app', endPoint);
    const client = new ScramClient('correct horse', new ScramKeyCache(), { flag: 'y' });
    expect(server.first(SCRAM_SHA_256, client.firstMessage())).toMatchObject({
      ok: false,
      error: { code: '28000', message: 'SCRAM channel binding negotiation error' },
    });
  });

  it('survives any input: a mechanism not offered, garbage, a final message before the first', () => {
    const server = new ScramServer(verifier, 'app', undefined);
    expect(server.first(SCRAM_SHA_256_PLUS, 'p=tls-server-end-point,,n=,r=x').ok).toBe(false);
    expect(server.first(SCRAM_SHA_256, '').ok).toBe(false);
    expect(server.first(SCRAM_SHA_256, 'n,a=someone,n=,r=x').ok).toBe(false);
    expect(new ScramServer(verifier, 'app', undefined).final('c=biws,r=x,p=AAAA').ok).toBe(false);
    const first = message(server.first(SCRAM_SHA_256, 'n,,n=,r=abc'));
    expect(server.final(`c=biws,r=${first.split(',')[0]!.slice(2)},p=short`).ok).toBe(false);
    expect(server.final('c=biws,r=abc,p=AAAA').ok).toBe(false);
  });
});
