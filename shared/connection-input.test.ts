import { describe, expect, it } from 'vitest';
import { readConnectionInput } from './connection-input.js';

const KEY = 'eyJhbGciOiJIUzI1NiJ9.abcdefghijklmnop';
const read = (text: string) => readConnectionInput(text, 'The pasted value');

describe('readConnectionInput', () => {
  it('makes a direct profile of a postgres:// URL, db.prisma.io among them', () => {
    expect(read('postgres://u:pw@db.prisma.io:5432/?sslmode=require')).toMatchObject({
      kind: 'direct',
      upstream: { host: 'db.prisma.io', user: 'u', sslmode: 'require' },
      password: 'pw',
    });
    expect(read('host=localhost user=app')).toMatchObject({ kind: 'direct' });
  });

  it('makes a tunnel profile of a bare key or a prisma+postgres DATABASE_URL', () => {
    expect(read(KEY)).toEqual({ kind: 'tunnel', apiKey: KEY });
    expect(read(`prisma+postgres://accelerate.prisma-data.net/?api_key=${KEY}`)).toEqual({
      kind: 'tunnel',
      apiKey: KEY,
    });
  });

  it('says what is wrong with either, naming the source', () => {
    expect(read('postgres://u@/db')).toEqual({
      kind: 'invalid',
      error: 'The pasted value names no host (postgres://user@HOST/database).',
    });
    expect(read('')).toMatchObject({ kind: 'invalid', error: /^The pasted value is empty/ });
    expect(read('mysql://u:p@h/db')).toEqual({
      kind: 'invalid',
      error:
        'The pasted value is a mysql:// URL, not a Postgres or Prisma Postgres one: expected postgres://user:password@host/database, or prisma+postgres://accelerate.prisma-data.net/?api_key=...',
    });
    expect(read('prisma+postgres://h/?nokey=1')).toMatchObject({
      kind: 'invalid',
      error: /^The pasted value has no api_key parameter/,
    });
  });
});
