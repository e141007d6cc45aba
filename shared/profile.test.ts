import { describe, expect, it } from 'vitest';
import { validateProfileInput } from './profile.js';

const KEY = 'abcdefghijklmnop-key';

describe('validateProfileInput', () => {
  it('accepts a name and a key, with everything else defaulted', () => {
    expect(validateProfileInput({ name: 'Prod', apiKey: KEY }, { requireKey: true })).toEqual({});
  });

  it('names each field at fault with a sentence', () => {
    const errors = validateProfileInput(
      { name: '', apiKey: '', gatewayUrl: 'https://x', host: 'a b', portMode: 'fixed', port: 0 },
      { requireKey: true },
    );
    expect(Object.keys(errors).sort()).toEqual(['apiKey', 'gatewayUrl', 'host', 'name', 'port']);
    for (const message of Object.values(errors)) {
      expect(message).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('on edit, a missing key keeps the saved one', () => {
    expect(validateProfileInput({ name: 'Prod' }, { requireKey: false })).toEqual({});
  });
});
