import { urlTypoProblem } from './url-typo.js';

/**
 * Where an API key can come from: a bare key, or the `api_key` query parameter of a Prisma
 * Postgres DATABASE_URL (prisma+postgres://accelerate.prisma-data.net/?api_key=...). Messages never
 * repeat the input: it is a secret.
 */
export type ApiKeyResult = { ok: true; apiKey: string } | { ok: false; error: string };

/** Keys travel in an HTTP header: printable ASCII without spaces, and of a plausible length. */
const KEY_FORM = /^[\x21-\x7e]{16,4096}$/;

/** True when `text` starts with a URL scheme and `//` (RFC 3986 section 3.1), whatever the scheme. */
export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim());
}

export function parseApiKeyInput(input: string, source = 'The value'): ApiKeyResult {
  const text = input.trim();
  if (text === '') {
    return {
      ok: false,
      error: `${source} is empty: paste an API key or a DATABASE_URL that holds one.`,
    };
  }
  if (looksLikeUrl(text)) {
    return apiKeyFromUrl(text, source);
  }
  const typo = urlTypoProblem(text, source);
  if (typo !== undefined) {
    return { ok: false, error: typo };
  }
  return checkForm(text, source);
}

/**
 * Schemes of Postgres and Prisma Postgres URLs (Prisma ORM's names): any other URL (mysql://) is
 * not missing an api_key, it is the wrong kind of URL.
 */
const POSTGRES_SCHEMES = ['prisma+postgres:', 'prisma:', 'postgres:', 'postgresql:'];

function apiKeyFromUrl(text: string, source: string): ApiKeyResult {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `${source} looks like a URL but is not a valid one.` };
  }
  const apiKey = url.searchParams.get('api_key');
  if (!apiKey && !POSTGRES_SCHEMES.includes(url.protocol)) {
    return {
      ok: false,
      error: `${source} is a ${url.protocol}// URL, not a Postgres or Prisma Postgres one: expected postgres://user:password@host/database, or prisma+postgres://accelerate.prisma-data.net/?api_key=...`,
    };
  }
  if (!apiKey) {
    return {
      ok: false,
      error: `${source} has no api_key parameter (expected prisma+postgres://accelerate.prisma-data.net/?api_key=...).`,
    };
  }
  return checkForm(apiKey, `The api_key of ${source}`);
}

/**
 * What no API key holds, and what each says the value is instead: a string with one of these is
 * something else pasted by mistake (a URL, an e-mail address, a sentence), which must not be sent
 * to a gateway as a bearer token.
 */
const NOT_IN_A_KEY: ReadonlyArray<[RegExp, string]> = [
  [/^[a-z][a-z0-9+.-]*:/i, 'it starts with a URL scheme'],
  [/\/\//, 'it holds "//"'],
  [/@/, 'it holds "@"'],
  [/\s/, 'it holds spaces'],
];

function checkForm(apiKey: string, source: string): ApiKeyResult {
  const reason = NOT_IN_A_KEY.find(([pattern]) => pattern.test(apiKey))?.[1];
  if (reason !== undefined) {
    return {
      ok: false,
      error: `${source} is not an API key: ${reason}. Paste the key itself, or a DATABASE_URL that holds one (prisma+postgres://…/?api_key=…).`,
    };
  }
  if (!KEY_FORM.test(apiKey)) {
    return {
      ok: false,
      error: `${source} does not look like an API key (16 to 4096 printable characters, no spaces).`,
    };
  }
  return { ok: true, apiKey };
}

/** What the user may see of a key: its last four characters. */
export function maskApiKey(apiKey: string): string {
  return `••••${apiKey.slice(-4)}`;
}
