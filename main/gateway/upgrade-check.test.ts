import { describe, expect, it } from 'vitest';
import { parseUpstreamUrl } from '../upstream/target.js';
import { FailedKeyLimiter } from './failed-key-limiter.js';
import { hashApiKey, KeyRegistry } from './keys.js';
import { checkUpgrade, type UpgradeRequest } from './upgrade-check.js';

const upstream = parseUpstreamUrl('postgres://app:pw@db.internal:5432/shop?sslmode=disable');
const keys = new KeyRegistry([
  { id: 'shop', keyHash: hashApiKey('good-key'), upstream, maxSessions: undefined },
  { id: 'retired', keyHash: hashApiKey('no-db-key'), upstream: undefined, maxSessions: undefined },
]);
const limit = { attempts: 2, windowSeconds: 60, blockSeconds: 300 };
const request = (changes: Partial<UpgradeRequest> = {}): UpgradeRequest => ({
  target: '/websocket',
  authorization: 'Bearer good-key',
  clientHost: '198.51.100.7',
  draining: false,
  overCap: false,
  ...changes,
});

describe('checkUpgrade: the contract, with no socket', () => {
  it('accepts a known key with a database, and hands on the registry’s own entry', () => {
    const decision = checkUpgrade(request(), keys, new FailedKeyLimiter(limit));
    expect(decision).toMatchObject({ accept: true, upstream });
    expect(decision.accept && decision.key).toBe(keys.find('good-key'));
  });

  it.each([
    [{ target: 'http://[' }, 400, 'The request target is not a valid URL path.'],
    [{ target: '/other' }, 404, 'Tunnels open at /websocket.'],
    [{ draining: true }, 503, 'The gateway is shutting down; connect again.'],
    [{ authorization: 'Bearer no-db-key' }, 410, 'There is no database behind this API key.'],
    [{ authorization: 'Basic good-key' }, 401, 'The API key is invalid.'],
    [{ authorization: undefined }, 401, 'The API key is invalid.'],
  ])('refuses %o with %i and its sentence', (changes, status, message) => {
    expect(checkUpgrade(request(changes), keys, new FailedKeyLimiter(limit))).toMatchObject({
      accept: false,
      status,
      message,
    });
  });

  it('past the cap on pending connections: 503 with Retry-After, before any key is looked at', () => {
    expect(
      checkUpgrade(
        request({ overCap: true, authorization: 'Bearer wrong' }),
        keys,
        new FailedKeyLimiter(limit),
      ),
    ).toMatchObject({ accept: false, status: 503, retryAfterSeconds: 5 });
  });

  it('unknown keys count against the address: the one that reaches the limit says so, then 429 with Retry-After, even for a good key', () => {
    const limiter = new FailedKeyLimiter(limit);
    const wrong = request({ authorization: 'Bearer wrong' });
    expect(checkUpgrade(wrong, keys, limiter)).toMatchObject({
      status: 401,
      counted: 'auth-failure',
      newlyLimited: false,
    });
    expect(checkUpgrade(wrong, keys, limiter)).toMatchObject({ status: 401, newlyLimited: true });
    expect(checkUpgrade(request(), keys, limiter)).toMatchObject({
      accept: false,
      status: 429,
      counted: 'limited',
      retryAfterSeconds: 300,
    });
    expect(checkUpgrade(request({ clientHost: '198.51.100.8' }), keys, limiter)).toMatchObject({
      accept: true,
    });
  });
});
