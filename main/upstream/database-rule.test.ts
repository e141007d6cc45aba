import { describe, expect, it } from 'vitest';
import type { LoginParty } from '../pgwire/failure.js';
import { chooseDatabase } from './database-rule.js';

const GATEWAY: LoginParty = { kind: 'gateway' };

describe('chooseDatabase', () => {
  it("serves the key's own database, named or defaulted from the user name, with no notice", () => {
    expect(chooseDatabase('app', undefined, { user: 'x', database: 'app' }, GATEWAY)).toEqual({
      database: 'app',
    });
    expect(chooseDatabase('app', undefined, { user: 'app' }, GATEWAY)).toEqual({ database: 'app' });
  });

  it('serves a listed database, and any database with "*"', () => {
    expect(chooseDatabase('app', ['reports'], { user: 'x', database: 'reports' }, GATEWAY)).toEqual(
      {
        database: 'reports',
      },
    );
    expect(chooseDatabase('app', '*', { user: 'x', database: 'anything' }, GATEWAY)).toEqual({
      database: 'anything',
    });
  });

  it("lands any other name in the key's database, with a notice naming both and what is served", () => {
    expect(
      chooseDatabase('app', ['reports'], { user: 'x', database: 'nosuchdb' }, GATEWAY),
    ).toEqual({
      database: 'app',
      notice: {
        severity: 'NOTICE',
        code: '00000',
        message: 'database "nosuchdb" is not served by this API key; connected to "app" instead',
        detail: 'This API key serves "app", "reports".',
      },
    });
    // Postgres defaults the database to the user name: psql -U anything without -d.
    expect(chooseDatabase('app', undefined, { user: 'anything' }, GATEWAY)).toMatchObject({
      database: 'app',
      notice: {
        message: 'database "anything" is not served by this API key; connected to "app" instead',
        detail: 'This API key serves only "app".',
      },
    });
  });

  it('leaves physical replication alone (Postgres opens no database for it), but not logical', () => {
    for (const value of ['true', 'on', '1', 'yes', 'T']) {
      expect(
        chooseDatabase('app', undefined, { user: 'x', replication: value }, GATEWAY),
        value,
      ).toEqual({
        database: 'app',
      });
    }
    expect(
      chooseDatabase(
        'app',
        undefined,
        { user: 'x', database: 'other', replication: 'database' },
        GATEWAY,
      ),
    ).toMatchObject({ database: 'app', notice: expect.anything() });
    expect(
      chooseDatabase(
        'app',
        undefined,
        { user: 'x', database: 'other', replication: 'false' },
        GATEWAY,
      ),
    ).toMatchObject({ notice: expect.anything() });
  });

  it('names a direct profile, or the tunnel of the CLI, as what serves the database', () => {
    expect(
      chooseDatabase('app', undefined, { user: 'x' }, { kind: 'direct', profile: 'Prod' }).notice,
    ).toMatchObject({
      message: 'database "x" is not served by the profile “Prod”; connected to "app" instead',
      detail: 'The profile “Prod” serves only "app".',
    });
    expect(
      chooseDatabase('app', undefined, { user: 'x' }, { kind: 'direct' }).notice,
    ).toMatchObject({ detail: 'This tunnel serves only "app".' });
  });
});
