import { describe, expect, it } from 'vitest';
import {
  ConnectionStringError,
  isConnectionString,
  readConnectionString,
} from './connection-string.js';

const SECRET = 'p@ss/w:rd?#&=';
const read = (text: string) => readConnectionString(text, 'The URL');
const failure = (text: string): string => {
  try {
    read(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectionStringError);
    return (error as Error).message;
  }
  throw new Error(`${text} was accepted`);
};

describe('the URI form', () => {
  it("reads Prisma Postgres's direct connection string with libpq's defaults", () => {
    expect(read('postgres://u_123:secret@db.prisma.io:5432/?sslmode=require')).toEqual({
      upstream: {
        host: 'db.prisma.io',
        port: 5432,
        database: 'u_123',
        user: 'u_123',
        sslmode: 'require',
        sslrootcert: null,
        channelBinding: 'prefer',
      },
      password: 'secret',
      ignored: [],
    });
  });

  it('reads every part, percent-decoded, and the ones PG Tunnel acts on', () => {
    const { upstream, password } = read(
      `postgresql://j%C3%BCrgen:${encodeURIComponent(SECRET)}@ep-x.eu.aws.neon.tech:6543/my%20db` +
        '?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&channel_binding=require',
    );
    expect(upstream).toEqual({
      host: 'ep-x.eu.aws.neon.tech',
      port: 6543,
      database: 'my db',
      user: 'jürgen',
      sslmode: 'verify-full',
      sslrootcert: '/etc/ca.pem',
      channelBinding: 'require',
    });
    expect(password).toBe(SECRET);
  });

  it('takes libpq liberties: an unencoded ? or # in the password, ?password=, ?ssl=true, an IPv6 host', () => {
    expect(read('postgres://u:a?b#c@h/db').password).toBe('a?b#c');
    expect(read('postgres://u@h/db?password=x%26y').password).toBe('x&y');
    expect(read('postgres://u@h/db?ssl=true').upstream.sslmode).toBe('require');
    expect(read('postgres://u@[::1]:6000/db').upstream).toMatchObject({ host: '::1', port: 6000 });
    expect(read('POSTGRESQL://u@h').upstream).toMatchObject({ host: 'h', database: 'u' });
  });

  it('with sslrootcert=system, verify-full is the default and anything weaker is refused, as in libpq 16', () => {
    expect(read('postgres://u@h/db?sslrootcert=system').upstream.sslmode).toBe('verify-full');
    expect(failure('postgres://u@h/db?sslrootcert=system&sslmode=require')).toMatch(
      /sslrootcert=system needs sslmode=verify-full/,
    );
  });

  it('names client settings it leaves to each client, and refuses parameters it cannot act on', () => {
    expect(read('postgres://u@h/db?schema=public&application_name=x').ignored).toEqual([
      'schema',
      'application_name',
    ]);
    const message = failure('postgres://u@h/db?requirepeer=postgres&sslkeylogfile=%2Fk');
    expect(message).toMatch(
      /^The URL has requirepeer, sslkeylogfile, which PG Tunnel cannot act on/,
    );
    expect(message).toContain('It reads host, port, dbname, user, password');
  });

  it("reads libpq's login parameters and refuses what cannot be done here", () => {
    const parsed = read(
      'postgres://u@h/db?sslmode=require&options=-c%20search_path%3Dx&sslcert=%2Fc.crt&sslkey=%2Fc.key&sslpassword=pp&sslnegotiation=direct&gssencmode=prefer',
    );
    expect(parsed.upstream).toMatchObject({
      options: '-c search_path=x',
      sslcert: '/c.crt',
      sslkey: '/c.key',
      sslnegotiation: 'direct',
    });
    expect(parsed.sslPassword).toBe('pp');
    expect(failure('postgres://u@h/db?sslnegotiation=direct')).toMatch(
      /sslnegotiation=direct with sslmode=prefer, which libpq refuses/,
    );
    expect(failure('postgres://u@h/db?krbsrvname=pg')).toMatch(/cannot log in with Kerberos/);
    expect(failure('host=h user=u service=x')).toMatch(/service=x, which cannot be read here/);
  });

  it("service=NAME: the service's parameters, under those the string sets itself", () => {
    const services = (name: string) =>
      new Map(
        name === 'shop'
          ? [
              ['host', 'h'],
              ['user', 'u'],
              ['port', '6000'],
            ]
          : [],
      );
    const parsed = readConnectionString('service=shop port=7000', 'The URL', services);
    expect(parsed.upstream).toMatchObject({ host: 'h', user: 'u', port: 7000 });
  });

  it('reads host and port lists as libpq pairs them, with target_session_attrs', () => {
    const parsed = read('postgres://u@a:5433,[::1],c/db?target_session_attrs=read-write');
    expect(parsed.upstream).toMatchObject({
      host: 'a',
      port: 5433,
      hosts: [
        { host: 'a', port: 5433 },
        { host: '::1', port: 5432 },
        { host: 'c', port: 5432 },
      ],
      targetSessionAttrs: 'read-write',
    });
    expect(read('host=a,b port=6000 user=u').upstream.hosts).toEqual([
      { host: 'a', port: 6000 },
      { host: 'b', port: 6000 },
    ]);
    expect(failure('host=a,b,c port=1,2 user=u')).toMatch(/2 ports for 3 hosts/);
    expect(failure('postgres://u@a,b/db?target_session_attrs=master')).toMatch(
      /target_session_attrs=master; use one of any, read-write/,
    );
  });

  it('reads hostaddr per host, and keepalives', () => {
    const parsed = read(
      'host=a,b hostaddr=10.0.0.1,10.0.0.2 user=u keepalives=0 keepalives_idle=9',
    );
    expect(parsed.upstream).toMatchObject({
      hostaddr: '10.0.0.1',
      hosts: [
        { host: 'a', port: 5432, hostaddr: '10.0.0.1' },
        { host: 'b', port: 5432, hostaddr: '10.0.0.2' },
      ],
      keepalives: false,
      keepalivesIdle: 9,
    });
    expect(read('hostaddr=10.0.0.1 user=u').upstream.host).toBe('10.0.0.1');
    expect(failure('host=a,b hostaddr=10.0.0.1 user=u')).toMatch(/1 hostaddr values for 2 hosts/);
  });

  it('reads require_auth as libpq does: methods, all or none negated', () => {
    expect(read('host=h user=u require_auth=!md5,!password').upstream.requireAuth).toBe(
      '!md5,!password',
    );
    expect(failure('host=h user=u require_auth=md5,!password')).toMatch(/all of them or none/);
    expect(failure('host=h user=u require_auth=kerberos')).toMatch(/require_auth=kerberos/);
    expect(read('host=/var/run/postgresql user=u').upstream.host).toBe('/var/run/postgresql');
  });

  it('reads connect_timeout as libpq does: whole seconds, zero or less for no deadline', () => {
    expect(read('postgres://u@h/db?connect_timeout=5').upstream.connectTimeout).toBe(5);
    expect(read('host=h user=u connect_timeout=-3').upstream.connectTimeout).toBe(0);
    expect(read('postgres://u@h/db').upstream).not.toHaveProperty('connectTimeout');
    expect(failure('postgres://u@h/db?connect_timeout=5s')).toMatch(
      /connect_timeout=5s; it is a whole number of seconds/,
    );
  });

  it.each([
    ['no host', 'postgres://u@/db', /names no host/],
    ['no user', 'postgres://h/db', /names no user/],
    ['a port out of range', 'postgres://u@h:70000/db', /1 to 65535/],
    ['a port that is not a number', 'postgres://u@h:abc/db', /1 to 65535/],
    ['an unknown sslmode', 'postgres://u@h/db?sslmode=on', /sslmode=on; use one of disable, allow/],
    ['an unknown channel_binding', 'postgres://u@h/db?channel_binding=yes', /channel_binding=yes/],
    [
      'channel binding without TLS',
      'postgres://u@h/db?sslmode=disable&channel_binding=require',
      /needs TLS/,
    ],
    [
      'a relative sslrootcert',
      'postgres://u@h/db?sslmode=verify-ca&sslrootcert=ca.pem',
      /full path/,
    ],
    ['a bad escape', 'postgres://u:100%@h/db', /percent-encode/],
    ['a pair without =', 'postgres://u@h/db?sslmode', /without exactly one "="/],
    ['an unclosed IPv6 host', 'postgres://u@[::1/db', /closing "]"/],
  ])('refuses %s with a sentence', (_name, text, sentence) => {
    expect(failure(text)).toMatch(sentence);
  });

  it('never repeats the password in an error', () => {
    const encoded = encodeURIComponent(SECRET);
    for (const text of [
      `postgres://u:${encoded}@h/db?sslmode=bogus`,
      `postgres://u:${encoded}@/db`,
      `postgres://u:${encoded}@h:99999/db`,
      `postgres://u@h/db?password=${encoded}&bogus=${encoded}`,
      `postgres://u@h/db?password=${encoded}=`,
      `host=h user=u password='${SECRET}' nonsense`,
    ]) {
      const message = failure(text);
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(encoded);
    }
  });
});

describe("libpq's key=value form", () => {
  it('reads pairs, spaces around =, quoted values with escapes', () => {
    const { upstream, password } = read(
      "host=db.internal port = 6432 dbname='my db' user=app password='it\\'s a \\\\secret' sslmode=verify-ca sslrootcert=/ca.pem",
    );
    expect(upstream).toEqual({
      host: 'db.internal',
      port: 6432,
      database: 'my db',
      user: 'app',
      sslmode: 'verify-ca',
      sslrootcert: '/ca.pem',
      channelBinding: 'prefer',
    });
    expect(password).toBe("it's a \\secret");
  });

  it('refuses what libpq refuses', () => {
    expect(failure('host=h user')).toMatch(/"user" without "="/);
    expect(failure("host=h user='app")).toMatch(/closing '/);
    expect(failure('host=a,,b user=u')).toMatch(/names no host/);
  });
});

describe('isConnectionString', () => {
  it('tells connection strings from API keys and other URLs', () => {
    expect(isConnectionString(' postgres://u@h/db ')).toBe(true);
    expect(isConnectionString('postgresql://u@h')).toBe(true);
    expect(isConnectionString('host=h user=u')).toBe(true);
    expect(isConnectionString('dbname = x')).toBe(true);
    expect(isConnectionString('prisma+postgres://accelerate.prisma-data.net/?api_key=k')).toBe(
      false,
    );
    // Base64 padding is not a keyword.
    expect(isConnectionString('eyJhbGciOiJIUzI1NiJ9abc==')).toBe(false);
    expect(isConnectionString('apikey=abc')).toBe(false);
  });
});
