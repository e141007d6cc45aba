import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.js';

describe('parseRequestTarget', () => {
  it('reads origin-form targets with their query', () => {
    const url = parseRequestTarget('/websocket?x=1');
    expect(url?.pathname).toBe('/websocket');
    expect(url?.searchParams.get('x')).toBe('1');
    expect(parseRequestTarget(undefined)?.pathname).toBe('/');
  });

  it.each(['http://[', '//[', 'http://a%zz/', 'https://x:99999/', 'http://:80/'])(
    'answers undefined, not an exception, for %s',
    (target) => {
      expect(parseRequestTarget(target)).toBeUndefined();
    },
  );
});
