import { describe, expect, it } from 'vitest';
import type { DirectUpstream } from './direct-upstream.js';
import { validateProfileInput, type ProfileInput } from './profile.js';

const KEY = 'abcdefghijklmnop-key';

describe('validateProfileInput', () => {
  it('accepts a name and a key, with everything else defaulted', () => {
    expect(
      validateProfileInput({ name: 'Prod', apiKey: KEY }, { kind: 'tunnel', adding: true }),
    ).toEqual({});
  });

  it('names each field at fault with a sentence', () => {
    const errors = validateProfileInput(
      { name: '', apiKey: '', gatewayUrl: 'https://x', host: 'a b', portMode: 'fixed', port: 0 },
      { kind: 'tunnel', adding: true },
    );
    expect(Object.keys(errors).sort()).toEqual(['apiKey', 'gatewayUrl', 'host', 'name', 'port']);
    for (const message of Object.values(errors)) {
      expect(message).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('on edit, a missing key keeps the saved one', () => {
    expect(validateProfileInput({ name: 'Prod' }, { kind: 'tunnel', adding: false })).toEqual({});
  });
});

describe('validateProfileInput for a direct profile', () => {
  const upstream: DirectUpstream = {
    host: 'db.example.com',
    port: 5432,
    database: 'app',
    user: 'app',
    sslmode: 'verify-full',
    sslrootcert: 'system',
    channelBinding: 'prefer',
  };
  const direct = { kind: 'direct', adding: true } as const;

  it('takes the connection, with or without a password, and needs no API key', () => {
    expect(validateProfileInput({ name: 'Prod', upstream }, direct)).toEqual({});
    expect(validateProfileInput({ name: 'Prod', upstream, password: 'pw' }, direct)).toEqual({});
  });

  it('names each field of the connection at fault as upstream.<field>', () => {
    const errors = validateProfileInput(
      {
        name: 'Prod',
        upstream: { ...upstream, host: 'a b', port: 0, user: '', sslrootcert: 'ca.pem' },
      },
      direct,
    );
    expect(Object.keys(errors).sort()).toEqual([
      'upstream.host',
      'upstream.port',
      'upstream.sslrootcert',
      'upstream.user',
    ]);
  });

  it('needs the connection when adding, and refuses a password Postgres cannot take', () => {
    expect(validateProfileInput({ name: 'Prod' }, direct).upstream).toMatch(
      /^Paste the database URL/,
    );
    expect(validateProfileInput({ name: 'Prod' }, { kind: 'direct', adding: false })).toEqual({});
    expect(
      validateProfileInput({ name: 'Prod', upstream, password: 'a\0b' }, direct).password,
    ).toMatch(/zero bytes/);
  });

  it('names what came over a transport with the wrong types, rather than failing on it', () => {
    const odd = JSON.parse(
      '{"name":"Prod","upstream":{"host":5,"port":"5432","user":null,"database":1,"sslmode":"prefer","sslrootcert":7,"channelBinding":"prefer"},"password":42}',
    ) as ProfileInput;
    expect(Object.keys(validateProfileInput(odd, direct)).sort()).toEqual([
      'password',
      'upstream.database',
      'upstream.host',
      'upstream.port',
      'upstream.sslrootcert',
      'upstream.user',
    ]);
  });
});

describe("the keychain's size", () => {
  it('Windows refuses a key or password longer than Credential Manager holds; others take it', () => {
    const key = 'k'.repeat(1281);
    const tunnel = { name: 'Long', apiKey: key, gatewayUrl: 'wss://g.example/websocket' };
    expect(
      validateProfileInput(tunnel, { kind: 'tunnel', adding: true, platform: 'win32' }),
    ).toEqual({
      apiKey: expect.stringMatching(
        /^The API key is 1,281 characters long, and Windows Credential Manager holds at most 1,280/,
      ),
    });
    expect(
      validateProfileInput(tunnel, { kind: 'tunnel', adding: true, platform: 'darwin' }),
    ).toEqual({});
    expect(
      validateProfileInput(
        { ...tunnel, apiKey: 'k'.repeat(1280) },
        { kind: 'tunnel', adding: true, platform: 'win32' },
      ),
    ).toEqual({});
  });
});
