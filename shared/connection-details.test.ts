import { describe, expect, it } from 'vitest';
import {
  conninfoValue,
  connectionDetails,
  identityOf,
  serviceName,
  verifiedConnectionDetails,
} from './connection-details.js';

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

describe('verified connection details (TLS with the local CA)', () => {
  const caPath = '/Users/ada/Library/Application Support/pg-tunnel/tls/ca.crt';

  it('verify-full with sslrootcert for a host the certificate names, in the URL, psql and JDBC', () => {
    const details = verifiedConnectionDetails('127.0.0.1', 54321, caPath);
    expect(details.sslmode).toBe('verify-full');
    const url = new URL(details.url);
    expect([url.hostname, url.port]).toEqual(['127.0.0.1', '54321']);
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
    expect(url.searchParams.get('sslrootcert')).toBe(caPath);
    // Readable: only what libpq or pgjdbc would misread is escaped.
    expect(details.url).toContain(
      'sslrootcert=/Users/ada/Library/Application%20Support/pg-tunnel/tls/ca.crt',
    );
    expect(details.psql).toBe(`psql "${details.url}"`);
  });

  it('the JDBC URL parses back to the same host, port and CA', () => {
    for (const [host, path] of [
      ['127.0.0.1', caPath],
      ['::1', 'C:\\Users\\Ada\\AppData\\Roaming\\pg-tunnel\\tls\\ca.crt'],
      ['localhost', '/home/ada/.config/pg-tunnel/tls/ca+1 & more.crt'],
    ]) {
      const { jdbc } = verifiedConnectionDetails(host!, 6543, path!);
      expect(jdbc.startsWith('jdbc:postgresql://')).toBe(true);
      const parsed = new URL(jdbc.slice('jdbc:'.length));
      expect(parsed.hostname.replace(/^\[|\]$/g, '')).toBe(host);
      expect(parsed.port).toBe('6543');
      expect(parsed.pathname).toBe('/postgres');
      expect(parsed.searchParams.get('sslmode')).toBe('verify-full');
      expect(parsed.searchParams.get('sslrootcert')).toBe(path);
      expect(parsed.searchParams.get('user')).toBe('postgres');
      // pgjdbc decodes values with java.net.URLDecoder, for which '+' is a space: none may be left.
      expect(jdbc).not.toContain('+');
    }
  });

  it("a direct profile's verifying details name its own role and database", () => {
    const identity = { user: 'jürgen', database: 'my db' };
    const details = verifiedConnectionDetails('localhost', 6000, caPath, identity);
    const url = new URL(details.url);
    expect(decodeURIComponent(url.username)).toBe('jürgen');
    expect(decodeURIComponent(url.pathname)).toBe('/my db');
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
    const jdbc = new URL(details.jdbc.slice('jdbc:'.length));
    expect(decodeURIComponent(jdbc.pathname)).toBe('/my db');
    expect(jdbc.searchParams.get('user')).toBe('jürgen');
    expect(jdbc.searchParams.get('sslrootcert')).toBe(caPath);
  });

  it('verify-ca for a host the certificate cannot name', () => {
    const details = verifiedConnectionDetails('192.168.1.20', 5432, caPath);
    expect(details.sslmode).toBe('verify-ca');
    expect(new URL(details.url).searchParams.get('sslmode')).toBe('verify-ca');
  });
});

describe('conninfoValue', () => {
  it('quotes what libpq would split or unescape, and nothing else', () => {
    expect(conninfoValue('/home/ada/ca.crt')).toBe('/home/ada/ca.crt');
    expect(conninfoValue('/Users/ada/Application Support/ca.crt')).toBe(
      "'/Users/ada/Application Support/ca.crt'",
    );
    expect(conninfoValue("C:\\it's\\ca.crt")).toBe("'C:\\\\it\\'s\\\\ca.crt'");
    expect(conninfoValue('')).toBe("''");
  });
});
