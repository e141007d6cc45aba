import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RpcError, type AppSnapshot } from '../../../shared/rpc.js';
import { snapshotOf } from '../testing/fixtures.js';
import { createHttpBridge, retryDelay } from './http-bridge.js';

/** A WebSocket the test opens, feeds and closes by hand. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close(): void {
    this.closed = true;
    this.onclose?.();
  }
  /** The server side: */
  open(): void {
    this.onopen?.();
  }
  send(snapshot: AppSnapshot): void {
    this.onmessage?.({ data: JSON.stringify({ event: 'snapshot', data: snapshot }) });
  }
  drop(): void {
    this.onclose?.();
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function bridgeWith(fetch: typeof globalThis.fetch) {
  return createHttpBridge({
    origin: 'http://127.0.0.1:4000',
    fetch,
    WebSocket: FakeSocket as unknown as new (url: string) => WebSocket,
  });
}

beforeEach(() => {
  FakeSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the HTTP bridge', () => {
  it('posts each command as JSON with its arguments, with the cookie of this origin', async () => {
    const fetch = vi.fn(async () => json({ ok: true, result: { profileId: 'p' } }));
    const bridge = bridgeWith(fetch);
    await expect(bridge.startTunnel('p')).resolves.toEqual({ profileId: 'p' });
    expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:4000/rpc/startTunnel', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ args: ['p'] }),
    });
  });

  it('throws the sentence and the field of a refused command', async () => {
    const bridge = bridgeWith(async () =>
      json({ ok: false, error: { message: 'Give the tunnel a name.', field: 'name' } }),
    );
    const error = await bridge.addProfile({ name: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ message: 'Give the tunnel a name.', field: 'name' });
  });

  it('turns a refusal in plain text (a missing token) into its sentence', async () => {
    const bridge = bridgeWith(
      async () =>
        new Response('Open the URL that pg-tunnel ui printed: it carries the access token.\n', {
          status: 401,
          headers: { 'content-type': 'text/plain' },
        }),
    );
    await expect(bridge.getSnapshot()).rejects.toThrow(/^Open the URL that pg-tunnel ui printed/);
  });

  it('says what to do when the server is gone', async () => {
    const bridge = bridgeWith(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(bridge.getSnapshot()).rejects.toThrow(/pg-tunnel ui.*still running/);
  });

  it('delivers pushed snapshots, reconnects with growing delays, and says so meanwhile', async () => {
    vi.useFakeTimers();
    const bridge = bridgeWith(vi.fn());
    const snapshots: AppSnapshot[] = [];
    const states: string[] = [];
    bridge.onConnectionChange?.((state) => states.push(state));
    const off = bridge.onSnapshot((s) => snapshots.push(s));

    expect(FakeSocket.all).toHaveLength(1);
    expect(FakeSocket.all[0]!.url).toBe('ws://127.0.0.1:4000/events');
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.send(snapshotOf([]));
    expect(snapshots).toHaveLength(1);
    expect(bridge.connectionState?.()).toBe('open');

    FakeSocket.all[0]!.drop();
    expect(bridge.connectionState?.()).toBe('reconnecting');
    vi.advanceTimersByTime(retryDelay(0) - 1);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.drop(); // still down: the next wait is longer
    vi.advanceTimersByTime(retryDelay(1));
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.open();
    expect(states).toEqual(['open', 'reconnecting', 'open']);

    off();
    expect(FakeSocket.all[2]!.closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(3); // closed on purpose: no reconnect
  });

  it('stops retrying and says "expired" once a restarted pg-tunnel ui refuses this window', async () => {
    vi.useFakeTimers();
    let refused = false;
    const fetch = vi.fn(async () =>
      refused
        ? new Response('Open the URL that pg-tunnel ui printed: it carries the access token.', {
            status: 401,
          })
        : Promise.reject(new TypeError('Failed to fetch')),
    );
    const bridge = bridgeWith(fetch);
    const states: string[] = [];
    bridge.onConnectionChange?.((state) => states.push(state));
    bridge.onSnapshot(() => {});
    FakeSocket.all[0]!.open();

    FakeSocket.all[0]!.drop(); // the process is gone: nothing answers, keep trying
    await vi.advanceTimersByTimeAsync(retryDelay(0));
    expect(bridge.connectionState?.()).toBe('reconnecting');
    expect(FakeSocket.all).toHaveLength(2);

    refused = true; // back, with a new token: the socket is refused, and so is a command
    FakeSocket.all[1]!.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bridge.connectionState?.()).toBe('expired');
    expect(FakeSocket.all).toHaveLength(2);
    expect(states).toEqual(['open', 'reconnecting', 'expired']);
  });

  it('waits longer after each failure, up to a cap', () => {
    const delays = Array.from({ length: 10 }, (_, attempt) => retryDelay(attempt));
    expect(delays[0]).toBeLessThan(delays[1]!);
    expect(Math.max(...delays)).toBe(5_000);
  });
});
