import { describe, expect, it } from 'vitest';
import { isRunning } from '../../../shared/tunnel-state.js';
import { addressText, sessionCountText } from './labels.js';

describe('labels', () => {
  it('counts sessions in words', () => {
    expect(sessionCountText(0)).toBe('No sessions');
    expect(sessionCountText(1)).toBe('1 session');
    expect(sessionCountText(12)).toBe('12 sessions');
  });

  it('writes addresses as host:port, bracketing IPv6, and nothing without a port', () => {
    expect(addressText('127.0.0.1', 5432)).toBe('127.0.0.1:5432');
    expect(addressText('::1', 5432)).toBe('[::1]:5432');
    expect(addressText('127.0.0.1', null)).toBeNull();
  });

  it('counts a starting tunnel as running, an error as not', () => {
    const state = (status: 'stopped' | 'starting' | 'listening' | 'error') => ({
      profileId: 'p',
      status,
      host: null,
      port: null,
      problem: null,
      sessions: [],
      logEntries: 0,
    });
    expect(isRunning(state('starting'))).toBe(true);
    expect(isRunning(state('listening'))).toBe(true);
    expect(isRunning(state('error'))).toBe(false);
    expect(isRunning(undefined)).toBe(false);
  });
});
