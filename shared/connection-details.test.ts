import { describe, expect, it } from 'vitest';
import { connectionDetails, identityOf, serviceName } from './connection-details.js';

describe('connection details', () => {
  const details = connectionDetails('127.0.0.1', 54321, 'Staging DB');

  it('a postgresql:// URL with sslmode=disable that libpq parses back to the same host and port', () => {
    const url = new URL(details.url);
    expect(url.protocol).toBe('postgresql:');
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).toBe('54321');
    expect(url.searchParams.get('sslmode')).toBe('disable');
  });

  it('a psql command, a JDBC URL, env exports and a pg_service.conf entry for the same address', () => {
    expect(details.psql).toBe(`psql "${details.url}"`);
    expect(details.jdbc).toBe(
      'jdbc:postgresql://127.0.0.1:54321/postgres?sslmode=disable&user=postgres',
    );
    expect(details.env.split('\n')).toEqual([
      'export PGHOST=127.0.0.1',
      'export PGPORT=54321',
      'export PGUSER=postgres',
      'export PGDATABASE=postgres',
      'export PGSSLMODE=disable',
    ]);
    expect(details.pgService.split('\n')[0]).toBe('[pg-tunnel-staging-db]');
    expect(details.pgService).toContain('port=54321');
  });

  it('brackets IPv6 hosts in URLs', () => {
    expect(connectionDetails('::1', 5000, 'x').url).toBe(
      'postgresql://postgres@[::1]:5000/postgres?sslmode=disable',
    );
  });

  it('service names are safe for pg_service.conf', () => {
    expect(serviceName('  Prod / EU (read-only) ')).toBe('pg-tunnel-prod-eu-read-only');
    expect(serviceName('———')).toBe('pg-tunnel-tunnel');
  });

  it("a direct profile's details name its own role and database, encoded where URLs need it", () => {
    const identity = identityOf({
      upstream: {
        host: 'db.example.com',
        port: 5432,
        database: 'my db',
        user: 'jürgen',
        sslmode: 'verify-full',
        sslrootcert: 'system',
        channelBinding: 'prefer',
      },
    });
    const direct = connectionDetails('127.0.0.1', 6000, 'Prod', identity);
    expect(direct.url).toBe('postgresql://j%C3%BCrgen@127.0.0.1:6000/my%20db?sslmode=disable');
    expect(direct.env).toContain('export PGUSER=jürgen');
    expect(identityOf({})).toEqual({ user: 'postgres', database: 'postgres' });
  });
});
