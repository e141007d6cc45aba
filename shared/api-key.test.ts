import { describe, it, expect } from 'vitest';
import { maskApiKey, parseApiKeyInput, type ApiKeyResult } from './api-key.js';

/** A key of the form Prisma Postgres issues (a JWT: base64url parts joined by dots). */
const KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcGlfa2V5IjoiMDFIWFlaIiwidGVuYW50X2lkIjoiYWJjIn0.dGhpcy1pcy1ub3QtYS1yZWFsLXNpZ25hdHVyZQ';

function expectError(result: ApiKeyResult, secret: string): string {
  expect(result.ok).toBe(false);
  const error = result.ok ? '' : result.error;
  expect(error.length).toBeGreaterThan(0);
  if (secret.trim() !== '') {
    expect(error).not.toContain(secret.trim());
  }
  return error;
}

describe('parseApiKeyInput', () => {
  it('accepts a bare key', () => {
    expect(parseApiKeyInput(KEY)).toEqual({ ok: true, apiKey: KEY });
  });

  it('takes the api_key out of a prisma+postgres DATABASE_URL', () => {
    const url = `prisma+postgres://accelerate.prisma-data.net/?api_key=${KEY}`;
    expect(parseApiKeyInput(url)).toEqual({ ok: true, apiKey: KEY });
  });

  it('finds api_key among other query parameters and percent-decodes it', () => {
    const key = 'abc/def+ghi=jkl:0123';
    const url = `prisma+postgres://accelerate.prisma-data.net/?connection_limit=5&api_key=${encodeURIComponent(key)}&x=1`;
    expect(parseApiKeyInput(url)).toEqual({ ok: true, apiKey: key });
  });

  it('refuses a Postgres URL with a typo, naming the URL meant with its password or key masked', () => {
    for (const [typo, meant] of [
      ['postgres//app:s3cret@127.0.0.1/shop', 'postgres://app:****@127.0.0.1/shop'],
      [
        'postgresql:/app:s3cret@db.example.com:6543/shop',
        'postgresql://app:****@db.example.com:6543/shop',
      ],
      ['postgres:\\\\app:s3cret@127.0.0.1/shop', 'postgres://app:****@127.0.0.1/shop'],
      [
        'Postgres:app@127.0.0.1/shop?password=s3cret',
        'postgres://app@127.0.0.1/shop?password=****',
      ],
      [
        'prisma+postgres//accelerate.prisma-data.net/?api_key=s3cret-key-0123456789',
        'prisma+postgres://accelerate.prisma-data.net/?api_key=****',
      ],
    ]) {
      const error = parseApiKeyInput(typo!, 'The API key');
      expect(error).toEqual({
        ok: false,
        error: `The API key: this looks like a postgres:// URL with a typo — did you mean ${meant}?`,
      });
    }
  });

  it('refuses what no key holds: a scheme, "//", "@" or spaces', () => {
    for (const [text, reason] of [
      ['mysql:app-secret-0123456789', 'it starts with a URL scheme'],
      ['host.example//0123456789abcdef', 'it holds "//"'],
      ['someone@example.com-0123456789', 'it holds "@"'],
      ['my api key 0123456789 abcdef', 'it holds spaces'],
    ]) {
      expect(expectError(parseApiKeyInput(text!, 'The API key'), '')).toBe(
        `The API key is not an API key: ${reason}. Paste the key itself, or a DATABASE_URL that holds one (prisma+postgres://…/?api_key=…).`,
      );
    }
  });

  it('ignores surrounding whitespace and newlines, as pasted from a .env file', () => {
    expect(parseApiKeyInput(`  ${KEY}\n`)).toEqual({ ok: true, apiKey: KEY });
    expect(
      parseApiKeyInput(`\t prisma+postgres://accelerate.prisma-data.net/?api_key=${KEY} \r\n`),
    ).toEqual({ ok: true, apiKey: KEY });
  });

  it('refuses a URL without api_key, and does not repeat the URL', () => {
    const url = 'postgres://owner:hunter2-db-password@db.example.com:5432/app';
    const error = expectError(parseApiKeyInput(url), url);
    expect(error).toContain('api_key');
    expect(error).not.toContain('hunter2');
  });

  it('refuses a URL whose api_key is empty or not key-shaped, without repeating it', () => {
    const base = 'prisma+postgres://accelerate.prisma-data.net/?api_key=';
    expect(parseApiKeyInput(base).ok).toBe(false);
    for (const apiKey of [
      'short-secret',
      'has a space inside it, secret',
      'schlüssel-0123456789',
    ]) {
      const error = expectError(parseApiKeyInput(base + encodeURIComponent(apiKey)), apiKey);
      expect(error).not.toContain(encodeURIComponent(apiKey));
      expect(error).toContain('api_key');
    }
  });

  it('refuses a value that looks like a URL but does not parse', () => {
    const input = 'prisma+postgres://[not-an-ipv6/?api_key=' + KEY;
    const error = expectError(parseApiKeyInput(input), input);
    expect(error).not.toContain(KEY);
  });

  it('refuses empty and whitespace-only input', () => {
    for (const input of ['', '   ', '\n\t']) {
      expect(parseApiKeyInput(input)).toMatchObject({
        ok: false,
        error: expect.stringMatching(/empty/),
      });
    }
  });

  it('refuses garbage without repeating it', () => {
    for (const input of [
      'too-short',
      'a key with spaces in the middle',
      'schlüssel-mit-umlaut-0123456789',
      'tab\tseparated-0123456789abcdef',
      'x'.repeat(4097),
    ]) {
      expectError(parseApiKeyInput(input), input);
    }
  });

  it('accepts exactly 16 and 4096 printable characters and nothing outside that', () => {
    expect(parseApiKeyInput('a'.repeat(16)).ok).toBe(true);
    expect(parseApiKeyInput('a'.repeat(15)).ok).toBe(false);
    expect(parseApiKeyInput('~'.repeat(4096)).ok).toBe(true);
    expect(parseApiKeyInput('~'.repeat(4097)).ok).toBe(false);
  });

  it('names the source it is given in its messages', () => {
    const result = parseApiKeyInput('nope', 'PG_TUNNEL_API_KEY');
    expect(result.ok === false && result.error).toMatch(/^PG_TUNNEL_API_KEY /);
  });
});

describe('maskApiKey', () => {
  it('shows only the last four characters', () => {
    expect(maskApiKey(KEY)).toBe(`••••${KEY.slice(-4)}`);
    expect(maskApiKey(KEY)).not.toContain(KEY.slice(0, -4));
  });
});
