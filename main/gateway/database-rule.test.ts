import { describe, expect, it } from 'vitest';
import { chooseDatabase } from './database-rule.js';

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
