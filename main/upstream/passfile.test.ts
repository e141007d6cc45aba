import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passwordFromPassfile } from './passfile.js';

const dir = mkdtempSync(join(tmpdir(), 'pg-tunnel-pgpass-'));

function passfile(text: string, mode = 0o600): string {
  const path = join(dir, `pgpass-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const query = { host: 'db', port: 5432, database: 'shop', user: 'app' };

describe("libpq's password file", () => {
  it('takes the first entry that matches, * matching anything, \\ escaping : and \\', () => {
    const path = passfile(
      '# comment\nother:5432:*:app:no\ndb:*:shop:app:pa\\:ss\\\\word\ndb:5432:*:*:later\n',
    );
    expect(passwordFromPassfile({ ...query, passfile: path })).toBe('pa:ss\\word');
    expect(passwordFromPassfile({ ...query, user: 'bob', passfile: path })).toBe('later');
    expect(passwordFromPassfile({ ...query, host: 'nowhere', passfile: path })).toBeUndefined();
  });

  it('is not used when its group or others may read it, as libpq refuses it', () => {
    const path = passfile('*:*:*:*:secret\n', 0o644);
    expect(passwordFromPassfile({ ...query, passfile: path })).toBeUndefined();
  });

  it('a missing file is no password', () => {
    expect(passwordFromPassfile({ ...query, passfile: join(dir, 'none') })).toBeUndefined();
  });
});
