import { describe, expect, it } from 'vitest';
import type { LoginParty } from '../failure/failure.js';
import { chooseDatabase, chooseDirectDatabase } from './database-rule.js';

describe('chooseDatabase', () => {
  it("serves the key's own database, named or defaulted from the user name, with no notice", () => {
    expect(chooseDatabase('app', undefined, { user: 'x', database: 'app' })).toEqual({
      database: 'app',
    });
    expect(chooseDatabase('app', undefined, { user: 'app' })).toEqual({ database: 'app' });
  });

  it('serves a listed database, and any database with "*"', () => {
    expect(chooseDatabase('app', ['reports'], { user: 'x', database: 'reports' })).toEqual({
      database: 'reports',
    });
    expect(chooseDatabase('app', '*', { user: 'x', database: 'anything' })).toEqual({
      database: 'anything',
    });
  });

  it("lands any other name in the key's database, with a notice naming both and what is served", () => {
    expect(chooseDatabase('app', ['reports'], { user: 'x', database: 'nosuchdb' })).toEqual({
      database: 'app',
      notice: {
        severity: 'NOTICE',
        code: '00000',
        message: 'database "nosuchdb" is not served by this API key; connected to "app" instead',
        detail: 'This API key serves "app", "reports".',
      },
    });
    // Postgres defaults the database to the user name: psql -U anything without -d.
    expect(chooseDatabase('app', undefined, { user: 'anything' })).toMatchObject({
      database: 'app',
      notice: {
        message: 'database "anything" is not served by this API key; connected to "app" instead',
        detail: 'This API key serves only "app".',
      },
    });
  });

  it('leaves physical replication alone (Postgres opens no database for it), but not logical', () => {
    for (const value of ['true', 'on', '1', 'yes', 'T']) {
      expect(chooseDatabase('app', undefined, { user: 'x', replication: value }), value).toEqual({
        database: 'app',
      });
    }
    expect(
      chooseDatabase('app', undefined, { user: 'x', database: 'other', replication: 'database' }),
    ).toMatchObject({ database: 'app', notice: expect.anything() });
    expect(
      chooseDatabase('app', undefined, { user: 'x', database: 'other', replication: 'false' }),
    ).toMatchObject({ notice: expect.anything() });
  });
});

describe('chooseDirectDatabase', () => {
  const PROD: LoginParty = { kind: 'direct', profile: 'Prod' };

  it('passes on the database a client names, as Postgres would get it', () => {
    for (const database of ['template1', 'postgres', 'nosuchdb', 'app']) {
      expect(chooseDirectDatabase('app', 'owner', { user: 'x', database }, PROD)).toEqual({
        database,
      });
    }
  });

  it("maps libpq's default (no database, or the user's name) to the profile's, and says so", () => {
    expect(chooseDirectDatabase('app', 'owner', { user: 'x' }, PROD)).toEqual({
      database: 'app',
      notice: {
        severity: 'NOTICE',
        code: '00000',
        message: 'no database was named; connected to "app", the database of the profile “Prod”',
        detail:
          'A client that names a database other than its user name is connected to it as named.',
      },
    });
    expect(
      chooseDirectDatabase('app', 'owner', { user: 'x', database: 'x' }, { kind: 'direct' }),
    ).toMatchObject({
      database: 'app',
      notice: {
        message:
          'database "x" is the default for user "x"; connected to "app", the database of this tunnel, instead',
      },
    });
  });

  it("passes on the user's name as a database when it is the profile's role (its default too)", () => {
    expect(
      chooseDirectDatabase('app', 'owner', { user: 'owner', database: 'owner' }, PROD),
    ).toEqual({ database: 'owner' });
  });

  it('no notice when the default is the profile database anyway; physical replication left alone', () => {
    expect(chooseDirectDatabase('app', 'owner', { user: 'app', database: 'app' }, PROD)).toEqual({
      database: 'app',
    });
    expect(chooseDirectDatabase('app', 'owner', { user: 'x', replication: 'on' }, PROD)).toEqual({
      database: 'app',
    });
  });
});
