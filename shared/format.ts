const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1234567 → "1.2 MB": sizes as people read them (decimal units, one decimal). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  let unit = 1;
  // Move up while the value would *display* as 1000 or more: 999 950 B is 1.0 MB, not 1000.0 kB.
  while (unit < BYTE_UNITS.length - 1 && Number((bytes / 1000 ** unit).toFixed(1)) >= 1000) {
    unit++;
  }
  return `${(bytes / 1000 ** unit).toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** Milliseconds → "850 ms", "12.3 s", "3 m 04 s", "2 h 05 m". */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (Number((ms / 1000).toFixed(1)) < 60) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  // Whole seconds shown truncated, but never below the minute the branch above handed over.
  const seconds = Math.max(60, Math.floor(ms / 1000));
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} m`;
}

/**
 * Client-supplied text (application_name, user, database, a server's message) made safe for one
 * log line: control characters (C0, DEL, C1: newline, carriage return, ESC…) and the Unicode line
 * separators and bidirectional overrides, which could forge a line or reorder one on a terminal,
 * become escapes (`\n`, `\x1b`, `\u{202e}`), as Postgres escapes them in its own log. A
 * backslash is doubled, so an escape in the line always came from here.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const named = NAMED_ESCAPES[char];
    if (named) {
      return named;
    }
    const code = char.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\\\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A URL as sentences and logs show it: scheme, host and path, without the user name and password
 * (`ws://user:secret@host/` for HTTP Basic auth) or the query (an `api_key`) it may carry. An
 * unparsable one is echoed, quoted, when it reads as an address mistyped by hand (`ws//host:8080`,
 * `wss:/host/websocket`, `gw.example.com/websocket`), so the user sees the typo; anything else as
 * "(invalid URL)", since its text may be a secret pasted in the wrong place.
 */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    const typed = url.replace(/[?#].*$/s, '');
    return MISTYPED_ADDRESS.test(typed) ? `"${typed}"` : '(invalid URL)';
  }
}

/**
 * An address as a person types one: an optional scheme with a typo in its "://", a lower-case
 * host of DNS labels ending in a letters-only top-level label (unlike a key or token: mixed case,
 * digits throughout), an optional port and path.
 */
const MISTYPED_ADDRESS =
  /^(?:[a-z]{2,5}:?\/{0,2})?(?:localhost|(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?(?:\/[\w./-]*)?$/;
