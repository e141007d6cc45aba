import { describe, it, expect } from 'vitest';
import { formatBytes, formatDuration, printable, safeUrl } from './format.js';

describe('formatBytes', () => {
  it('shows whole bytes below 1000', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(999)).toBe('999 B');
  });

  it('uses decimal (SI) units with one decimal', () => {
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(1234567)).toBe('1.2 MB');
    expect(formatBytes(1_500_000_000)).toBe('1.5 GB');
    expect(formatBytes(2e12)).toBe('2.0 TB');
  });

  it('stays in TB beyond it', () => {
    expect(formatBytes(5e15)).toBe('5000.0 TB');
  });

  it('moves to the next unit when one decimal rounds up to 1000.0', () => {
    // 999 999 B is 999.999 kB, which one decimal rounds to 1000.0: that is 1.0 MB.
    expect(formatBytes(999_949)).toBe('999.9 kB');
    expect(formatBytes(999_950)).toBe('1.0 MB');
    expect(formatBytes(999_999)).toBe('1.0 MB');
    expect(formatBytes(999_999_999)).toBe('1.0 GB');
  });
});

describe('formatDuration', () => {
  it('shows milliseconds below one second', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(999)).toBe('999 ms');
  });

  it('shows seconds with one decimal below a minute', () => {
    expect(formatDuration(1000)).toBe('1.0 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(59_900)).toBe('59.9 s');
  });

  it('shows minutes and two-digit seconds below an hour', () => {
    expect(formatDuration(60_000)).toBe('1 m 00 s');
    expect(formatDuration(184_000)).toBe('3 m 04 s');
    expect(formatDuration(3_599_999)).toBe('59 m 59 s');
  });

  it('shows hours and two-digit minutes from an hour on', () => {
    expect(formatDuration(3_600_000)).toBe('1 h 00 m');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000 + 59_999)).toBe('2 h 05 m');
    expect(formatDuration(100 * 3_600_000)).toBe('100 h 00 m');
  });

  it('moves to minutes when one decimal of seconds rounds up to 60.0', () => {
    // Whole milliseconds (as Date.now() differences give) from 59 950 on read as 60.0 s otherwise.
    expect(formatDuration(59_949)).toBe('59.9 s');
    expect(formatDuration(59_950)).toBe('1 m 00 s');
    expect(formatDuration(59_999)).toBe('1 m 00 s');
  });
});

describe('printable', () => {
  it('escapes what could forge or reorder a log line, and leaves other text as it is', () => {
    expect(printable('evil\n✖️  [99] fake line')).toBe('evil\\n✖️  [99] fake line');
    expect(printable('a\rb\tc\x1b[31mred\x00\x7f\x9b')).toBe(
      'a\\rb\\tc\\x1b[31mred\\x00\\x7f\\x9b',
    );
    expect(printable('x\u2028y\u202ez')).toBe('x\\u{2028}y\\u{202e}z');
    expect(printable('psql — café 日本 🐘')).toBe('psql — café 日本 🐘');
  });

  it('doubles a backslash, so a literal "\\n" cannot pass for an escaped newline', () => {
    expect(printable('a\\nb')).toBe('a\\\\nb');
  });
});

describe('safeUrl', () => {
  it('drops the user name, password and query, and hides what is not a URL', () => {
    expect(safeUrl('wss://u:secretpw@gw.example.test:8443/websocket?api_key=k')).toBe(
      'wss://gw.example.test:8443/websocket',
    );
    expect(safeUrl('not a url secretpw')).toBe('(invalid URL)');
    expect(safeUrl('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2hlcmU')).toBe(
      '(invalid URL)',
    );
  });

  it('echoes an address mistyped by hand, without its query, so the typo shows', () => {
    expect(safeUrl('ws//localhost:8080/websocket?api_key=k')).toBe(
      '"ws//localhost:8080/websocket"',
    );
    expect(safeUrl('gw.example.test/websocket')).toBe('"gw.example.test/websocket"');
  });
});
