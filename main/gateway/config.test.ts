import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { ConfigError, parseGatewayConfig } from './config.js';
import { hashApiKey, KeyRegistry } from './keys.js';

const sha256Hex = (text: string) =>
  createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-fedcba9876543210';
const PASSWORD = 'Tr0ub4dor&3-upstream-secret';
const ENV_PASSWORD = 'env-only-s3cret-value';

function validConfig() {
  return {
    listen: { host: '0.0.0.0', port: 9443 },
    tls: { cert: '/etc/gw/cert.pem', key: '/etc/gw/key.pem' },
    keys: [
      {
        id: 'shop',
        keyHash: `sha256:${sha256Hex(KEY_A)}`,
        upstream: `postgres://shop_owner:${encodeURIComponent(PASSWORD)}@db.internal:6432/shop?sslmode=require`,
        maxSessions: 20,
      },
      {
        id: 'analytics',
        keyHash: `sha256:${sha256Hex(KEY_B)}`,
        upstream: 'postgresql://reader@[::1]/warehouse?sslmode=verify-full&sslrootcert=/etc/ca.pem',
        passwordEnv: 'ANALYTICS_PG_PASSWORD',
      },
      { id: 'retired', keyHash: `sha256:${'0'.repeat(64)}` },
    ],
  };
}
const env = { ANALYTICS_PG_PASSWORD: ENV_PASSWORD };

/** The ConfigError `json` gives; fails the test when it parses or throws something else. */
function configError(json: unknown, environment: NodeJS.ProcessEnv = env): ConfigError {
  try {
    parseGatewayConfig(json, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

function withKey(index: number, change: Record<string, unknown>) {
  const config = validConfig();
  Object.assign(config.keys[index]!, change);
  return config;
}

describe('parseGatewayConfig', () => {
  it('reads a valid config', () => {
    const config = parseGatewayConfig(validConfig(), env);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 9443 });
    expect(config.tls).toEqual({ cert: '/etc/gw/cert.pem', key: '/etc/gw/key.pem' });
    expect(config.keys).toEqual([
      {
        id: 'shop',
        keyHash: `sha256:${sha256Hex(KEY_A)}`,
        upstream: {
          host: 'db.internal',
          port: 6432,
          user: 'shop_owner',
          database: 'shop',
          password: PASSWORD,
          sslMode: 'require',
          sslRootCert: undefined,
          channelBinding: 'prefer',
          by: { kind: 'gateway' },
        },
        maxSessions: 20,
      },
      {
        id: 'analytics',
        keyHash: `sha256:${sha256Hex(KEY_B)}`,
        upstream: {
          host: '::1',
          port: 5432,
          user: 'reader',
          database: 'warehouse',
          password: ENV_PASSWORD,
          sslMode: 'verify-full',
          sslRootCert: '/etc/ca.pem',
          channelBinding: 'prefer',
          by: { kind: 'gateway' },
        },
        maxSessions: undefined,
      },
      {
        id: 'retired',
        keyHash: `sha256:${'0'.repeat(64)}`,
        upstream: undefined,
        maxSessions: undefined,
      },
    ]);
  });

  it('defaults listen to 127.0.0.1:8080, sslmode to prefer and the database to the user', () => {
    const config = parseGatewayConfig(
      {
        keys: [{ id: 'k', keyHash: `sha256:${sha256Hex(KEY_A)}`, upstream: 'postgres://app@db/' }],
      },
      {},
    );
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.tls).toBeUndefined();
    expect(config.keys[0]!.upstream).toMatchObject({
      host: 'db',
      port: 5432,
      user: 'app',
      database: 'app',
      password: undefined,
      sslMode: 'prefer',
    });
  });

  it('takes the password from passwordEnv over one in the URL', () => {
    const config = parseGatewayConfig(withKey(0, { passwordEnv: 'SHOP_PW' }), {
      ...env,
      SHOP_PW: 'from-env',
    });
    expect(config.keys[0]!.upstream!.password).toBe('from-env');
  });

  it('decodes a percent-encoded user, password and database', () => {
    const config = parseGatewayConfig(
      withKey(0, { upstream: 'postgres://j%C3%BCrgen:p%40ss%2Fw%3Ard@db/my%20db' }),
      env,
    );
    expect(config.keys[0]!.upstream).toMatchObject({
      user: 'jürgen',
      password: 'p@ss/w:rd',
      database: 'my db',
    });
  });

  describe('names the field that is wrong', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      [
        'a keyHash that is not sha256:hex',
        withKey(0, { keyHash: 'md5:abc' }),
        /keys\[0\]\.keyHash/,
      ],
      [
        'a keyHash with uppercase hex',
        withKey(1, { keyHash: `sha256:${sha256Hex(KEY_B).toUpperCase()}` }),
        /keys\[1\]\.keyHash/,
      ],
      ['a keyHash that is the key itself', withKey(0, { keyHash: KEY_A }), /keys\[0\]\.keyHash/],
      ['a missing keyHash', withKey(2, { keyHash: undefined }), /keys\[2\]\.keyHash/],
      ['an empty id', withKey(1, { id: '' }), /keys\[1\]\.id/],
      ['a port above 65535', { ...validConfig(), listen: { port: 70000 } }, /listen\.port/],
      ['a negative port', { ...validConfig(), listen: { port: -1 } }, /listen\.port/],
      ['a port that is a string', { ...validConfig(), listen: { port: '8080' } }, /listen\.port/],
      ['a fractional port', { ...validConfig(), listen: { port: 80.5 } }, /listen\.port/],
      ['an empty host', { ...validConfig(), listen: { host: '' } }, /listen\.host/],
      ['tls without a key', { ...validConfig(), tls: { cert: '/c.pem' } }, /tls\.key/],
      ['no keys', { keys: [] }, /keys/],
      ['a missing keys list', { listen: { port: 1 } }, /keys/],
      ['a maxSessions of 0', withKey(0, { maxSessions: 0 }), /keys\[0\]\.maxSessions/],
      ['a fractional maxSessions', withKey(1, { maxSessions: 2.5 }), /keys\[1\]\.maxSessions/],
      ['an empty passwordEnv', withKey(0, { passwordEnv: '' }), /keys\[0\]\.passwordEnv/],
      [
        'an upstream that is not a URL',
        withKey(1, { upstream: 'db.internal:5432' }),
        /keys\[1\]\.upstream/,
      ],
      [
        'an upstream with another scheme',
        withKey(1, { upstream: 'mysql://u@h/db' }),
        /keys\[1\]\.upstream/,
      ],
      [
        'an upstream without a user',
        withKey(1, { upstream: 'postgres://db.internal/x' }),
        /keys\[1\]\.upstream/,
      ],
      [
        'an unknown sslmode',
        withKey(1, { upstream: 'postgres://u@h/db?sslmode=on' }),
        /keys\[1\]\.upstream/,
      ],
      ['an upstream that is a number', withKey(0, { upstream: 5432 }), /keys\[0\]\.upstream/],
      [
        'databases that are a bare name',
        withKey(0, { databases: 'shop' }),
        /keys\[0\]\.databases must be "\*" or a list of database names/,
      ],
      ['an empty databases list', withKey(0, { databases: [] }), /keys\[0\]\.databases/],
      ['an empty database name', withKey(1, { databases: ['a', ''] }), /keys\[1\]\.databases/],
      [
        'a ping interval of 0',
        { ...validConfig(), liveness: { pingIntervalMs: 0 } },
        /liveness\.pingIntervalMs/,
      ],
      [
        'a deadAfterMs that is a string',
        { ...validConfig(), liveness: { deadAfterMs: '45s' } },
        /liveness\.deadAfterMs/,
      ],
      ['a negative warm wait', { ...validConfig(), warmWaitMs: -1 }, /warmWaitMs/],
      ['a config that is not an object', 'keys', /top level|config/],
    ];
    for (const [what, json, field] of cases) {
      it(`for ${what}`, () => {
        const error = configError(json);
        expect(error.message).toMatch(field);
        expect(error.message).toMatch(/^Invalid gateway config/);
      });
    }
  });

  it('reads the databases a key serves, a list or "*", and the liveness intervals with their defaults', () => {
    const config = parseGatewayConfig(
      {
        ...withKey(0, { databases: ['shop', 'reports'] }),
        liveness: { pingIntervalMs: 5000 },
      },
      env,
    );
    expect(config.keys[0]!.databases).toEqual(['shop', 'reports']);
    expect(config.keys[1]!.databases).toBeUndefined();
    expect(config.liveness).toEqual({ pingIntervalMs: 5000, deadAfterMs: 45_000 });
    expect(parseGatewayConfig(withKey(1, { databases: '*' }), env).keys[1]!.databases).toBe('*');
    expect(parseGatewayConfig(validConfig(), env).liveness).toEqual({
      pingIntervalMs: 15_000,
      deadAfterMs: 45_000,
    });
  });

  it('takes "*" in a databases list as every database, as the bare "*"', () => {
    expect(parseGatewayConfig(withKey(0, { databases: ['*'] }), env).keys[0]!.databases).toBe('*');
    expect(
      parseGatewayConfig(withKey(0, { databases: ['reports', '*'] }), env).keys[0]!.databases,
    ).toBe('*');
  });

  it('refuses an unknown field, at the top level and in a key, naming it and the file', () => {
    expect(() => parseGatewayConfig(withKey(0, { maxSesions: 5 }), env, '/etc/gw.json')).toThrow(
      new ConfigError(
        'Invalid gateway config /etc/gw.json: keys[0].maxSesions is not a known field.',
      ),
    );
    expect(configError({ ...validConfig(), bogusField: 1 }).message).toBe(
      'Invalid gateway config: bogusField is not a known field.',
    );
    expect(configError({ ...validConfig(), listen: { port: 1, hots: 'x' } }).message).toBe(
      'Invalid gateway config: listen.hots is not a known field.',
    );
    expect(configError({ ...validConfig(), liveness: { pingIntervalMS: 1 } }).message).toContain(
      'liveness.pingIntervalMS is not a known field',
    );
  });

  it("says what is wrong in words, not in the validator's", () => {
    const sentences: Array<[unknown, string]> = [
      [{ listen: { port: 1 } }, 'keys is missing'],
      [{ keys: 'x' }, 'keys must be a list'],
      [withKey(0, { maxSessions: 0 }), 'keys[0].maxSessions must be more than 0'],
      [withKey(0, { maxSessions: 2.5 }), 'keys[0].maxSessions must be a whole number'],
      [{ ...validConfig(), listen: { port: 70000 } }, 'listen.port must be at most 65535'],
      [{ ...validConfig(), listen: { port: '1' } }, 'listen.port must be a number'],
      [withKey(0, { id: '' }), 'keys[0].id must be a non-empty name'],
      [{ keys: [] }, 'keys must list at least one key'],
      ['keys', 'the config must be an object'],
    ];
    for (const [json, sentence] of sentences) {
      expect(configError(json).message).toBe(`Invalid gateway config: ${sentence}.`);
    }
  });

  it('reads the trusted proxies (none unless set) and the cap on pending connections (1000), and names a proxy entry that is no address or CIDR', () => {
    expect(parseGatewayConfig(validConfig(), env).trustedProxies).toEqual([]);
    expect(parseGatewayConfig(validConfig(), env).maxPendingConnections).toBe(1000);
    const proxies = ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '::1'];
    expect(
      parseGatewayConfig({ ...validConfig(), trustedProxies: proxies }, env).trustedProxies,
    ).toEqual(proxies);
    expect(configError({ ...validConfig(), trustedProxies: ['10.0.0.0/33'] }).message).toBe(
      'Invalid gateway config: trustedProxies: "10.0.0.0/33" is not an IP address or CIDR (such as 10.0.0.0/8).',
    );
    expect(configError({ ...validConfig(), trustedProxies: ['proxy.internal'] }).message).toContain(
      '"proxy.internal" is not an IP address or CIDR',
    );
  });

  it('reads how long warm sockets may wait, 5 minutes unless set, 0 to hold none', () => {
    expect(parseGatewayConfig(validConfig(), env).warmWaitMs).toBe(300_000);
    expect(parseGatewayConfig({ ...validConfig(), warmWaitMs: 0 }, env).warmWaitMs).toBe(0);
  });

  it("reads libpq's ?password= when the URL has no password before the host", () => {
    const config = parseGatewayConfig(
      withKey(1, {
        upstream: `postgres://reader@h/db?password=${encodeURIComponent(PASSWORD)}&sslmode=disable`,
        passwordEnv: undefined,
      }),
      {},
    );
    expect(config.keys[1]!.upstream).toMatchObject({ password: PASSWORD, sslMode: 'disable' });
  });

  it('refuses URL parameters it would not act on, and names them and the ones it reads', () => {
    const error = configError(
      withKey(1, { upstream: 'postgres://reader@h/db?sslmode=require&requirepeer=postgres' }),
    );
    expect(error.message).toContain(
      'keys[1].upstream has requirepeer, which PG Tunnel cannot act on',
    );
    expect(error.message).toContain('sslmode, sslrootcert, channel_binding');
  });

  it("refuses a client's settings too, rather than silently ignore them", () => {
    const error = configError(
      withKey(1, { upstream: 'postgres://reader@h/db?sslmode=require&application_name=x' }),
    );
    expect(error.message).toContain(
      'keys[1].upstream has application_name, which the gateway does not use; remove it.',
    );
  });

  it('names the environment variable passwordEnv points at when it is not set', () => {
    const error = configError(validConfig(), {});
    expect(error.message).toContain('keys[1].passwordEnv');
    expect(error.message).toContain('ANALYTICS_PG_PASSWORD');
  });

  it('accepts a passwordEnv variable that is set but empty', () => {
    const config = parseGatewayConfig(validConfig(), { ANALYTICS_PG_PASSWORD: '' });
    expect(config.keys[1]!.upstream!.password).toBe('');
  });

  it('rejects an id used twice and names it', () => {
    const error = configError(withKey(2, { id: 'shop' }));
    expect(error.message).toContain('keys[2].id');
    expect(error.message).toContain('"shop"');
  });

  it('names the source file it was given', () => {
    expect(() => parseGatewayConfig({ keys: [] }, env, '/etc/gw.json')).toThrow('/etc/gw.json');
  });

  it('never repeats a password, from the URL or from the environment, in an error', () => {
    const urlWithPassword = (query: string) =>
      `postgres://shop_owner:${encodeURIComponent(PASSWORD)}@db.internal:6432/shop${query}`;
    const broken: unknown[] = [
      withKey(0, { upstream: urlWithPassword('?sslmode=bogus') }),
      withKey(0, { upstream: urlWithPassword('').replace('postgres:', 'mysql:') }),
      withKey(0, { upstream: urlWithPassword('').replace(':6432', ':notaport') }),
      withKey(0, { upstream: urlWithPassword('').replace('db.internal:6432', '') }),
      withKey(0, { upstream: urlWithPassword('').replace('postgres://', '') }),
      withKey(0, { upstream: `postgres://:${encodeURIComponent(PASSWORD)}@db.internal/shop` }),
      withKey(0, { upstream: `postgres://u:${PASSWORD}%@db.internal/shop` }),
      withKey(0, { upstream: urlWithPassword(''), keyHash: 'sha256:nope' }),
      withKey(0, { upstream: urlWithPassword(''), maxSessions: -1 }),
      withKey(1, { upstream: 'postgres://reader@h/db?sslmode=nope' }),
      withKey(1, { upstream: `postgres://reader@h/db?password=${PASSWORD}&sslmode=nope` }),
      withKey(1, { upstream: `postgres://reader@h/db?password=${PASSWORD}&pass=${PASSWORD}` }),
      withKey(1, { upstream: 'not a url' }),
      withKey(2, { id: 'shop' }),
      { ...withKey(1, {}), listen: { port: 1e6 } },
    ];
    for (const json of broken) {
      const error = configError(json);
      expect(error.message).not.toContain(PASSWORD);
      expect(error.message).not.toContain(encodeURIComponent(PASSWORD));
      expect(error.message).not.toContain(ENV_PASSWORD);
    }
  });
});

describe('hashApiKey', () => {
  it('is "sha256:" and the hex SHA-256 of the key', () => {
    expect(hashApiKey(KEY_A)).toBe(`sha256:${sha256Hex(KEY_A)}`);
    // The SHA-256 of "abc" from FIPS 180-2, appendix B.1.
    expect(hashApiKey('abc')).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes the UTF-8 bytes of a non-ASCII key', () => {
    expect(hashApiKey('schlüssel-🔑')).toBe(`sha256:${sha256Hex('schlüssel-🔑')}`);
  });

  it('gives a hash the config accepts', () => {
    const config = parseGatewayConfig({ keys: [{ id: 'k', keyHash: hashApiKey(KEY_A) }] }, {});
    expect(config.keys[0]!.keyHash).toBe(hashApiKey(KEY_A));
  });
});

describe('KeyRegistry', () => {
  const registry = new KeyRegistry(parseGatewayConfig(validConfig(), env).keys);

  it('finds the entry of each configured key', () => {
    expect(registry.find(KEY_A)?.id).toBe('shop');
    expect(registry.find(KEY_B)?.id).toBe('analytics');
  });

  it('returns undefined for a wrong, near or empty key', () => {
    expect(registry.find('not-a-configured-key-000')).toBeUndefined();
    expect(registry.find(KEY_A.slice(0, -1))).toBeUndefined();
    expect(registry.find(`${KEY_A} `)).toBeUndefined();
    expect(registry.find(KEY_A.toUpperCase())).toBeUndefined();
    expect(registry.find('')).toBeUndefined();
    expect(registry.find(hashApiKey(KEY_A))).toBeUndefined(); // the stored hash is not a key
  });

  it('gives every entry its own SCRAM key cache', () => {
    const shop = registry.find(KEY_A)!;
    const analytics = registry.find(KEY_B)!;
    expect(shop.maxSessions).toBe(20);
    expect(shop.upstream?.password).toBe(PASSWORD);
    expect(shop.scramKeys).not.toBe(analytics.scramKeys);
    expect(registry.find(KEY_A)).toBe(shop); // the same entry each time
  });

  it('on a reload keeps the entry of an unchanged key, and makes new ones for changed keys', () => {
    const KEY_C = 'key-c-0a1b2c3d4e5f6a7b';
    const next = validConfig();
    next.keys[1]!.upstream = 'postgresql://reader@[::1]/other?sslmode=verify-full'; // analytics moved
    next.keys[2] = { id: 'new', keyHash: hashApiKey(KEY_C) }; // 'retired' removed, 'new' added
    const reloaded = new KeyRegistry(parseGatewayConfig(next, env).keys, registry);
    expect(reloaded.find(KEY_A)).toBe(registry.find(KEY_A)); // its SCRAM keys stay valid
    expect(reloaded.find(KEY_B)).not.toBe(registry.find(KEY_B));
    expect(reloaded.find(KEY_B)?.upstream?.database).toBe('other');
    expect(registry.find(KEY_B)?.upstream?.database).toBe('warehouse'); // open sessions keep theirs
    expect(reloaded.find(KEY_C)?.id).toBe('new');
    expect(reloaded.hasHash(`sha256:${'0'.repeat(64)}`)).toBe(false);
    expect(registry.hasHash(`sha256:${'0'.repeat(64)}`)).toBe(true);
  });
});
