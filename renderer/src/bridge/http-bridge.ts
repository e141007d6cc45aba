import {
  RPC_COMMANDS,
  RpcError,
  type AppSnapshot,
  type RpcClient,
  type RpcCommand,
  type RpcEventMessage,
} from '../../../shared/rpc.js';
import { unwrapReply, type RpcReply } from '../../../shared/rpc-dispatch.js';
import type { ConnectionListener, ConnectionState, WindowBridge } from './bridge-types.js';

/** The first retry comes quickly (a restart of `pg-tunnel ui`), later ones no more than this often. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/** What the bridge needs of the browser; tests pass fakes. */
export interface HttpBridgeOptions {
  /** http://127.0.0.1:PORT — where the control server is. */
  origin: string;
  fetch?: typeof fetch;
  WebSocket?: new (url: string) => WebSocket;
}

/** Delay before reconnect attempt `attempt` (0-based): doubling from FIRST_RETRY_MS up to the cap. */
export function retryDelay(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS);
}

/**
 * The bridge of a window served by `pg-tunnel ui`: commands are POST /rpc/<command> with a JSON
 * body, snapshots arrive on the /events WebSocket. The access token travels in the HttpOnly
 * cookie the server set when the page loaded, so this code never holds it.
 */
export function createHttpBridge(options: HttpBridgeOptions): WindowBridge {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const eventsUrl = `${options.origin.replace(/^http/, 'ws')}/events`;

  const post = (command: RpcCommand, args: unknown[]): Promise<Response> =>
    doFetch(`${options.origin}/rpc/${command}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ args }),
    });

  const call = async (command: RpcCommand, args: unknown[]): Promise<unknown> => {
    let response: Response;
    try {
      response = await post(command, args);
    } catch {
      throw new RpcError(
        'PG Tunnel is not reachable. Check that `pg-tunnel ui` is still running, then try again.',
      );
    }
    return unwrapReply(await readReply(response));
  };

  const commands = Object.fromEntries(
    RPC_COMMANDS.map((command) => [command, (...args: unknown[]) => call(command, args)]),
  ) as RpcClient;

  const snapshotListeners = new Set<(snapshot: AppSnapshot) => void>();
  const connectionListeners = new Set<ConnectionListener>();
  let connection: ConnectionState = 'connecting';
  let socket: WebSocket | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  const setConnection = (next: ConnectionState): void => {
    if (next !== connection) {
      connection = next;
      for (const listener of connectionListeners) {
        listener(next);
      }
    }
  };

  /**
   * A browser does not tell why a WebSocket failed. A command does: 401 means the server answering
   * is a restarted `pg-tunnel ui` whose new token this window never had, and retrying cannot help.
   */
  const accessRefused = async (): Promise<boolean> => {
    try {
      return (await post('getSnapshot', [])).status === 401;
    } catch {
      return false; // not reachable (yet): keep retrying
    }
  };

  const open = (): void => {
    retryTimer = undefined;
    const ws = new Socket(eventsUrl);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setConnection('open');
    };
    ws.onmessage = (message: MessageEvent) => {
      const event = parseEvent(message.data);
      if (event) {
        for (const listener of snapshotListeners) {
          listener(event);
        }
      }
    };
    ws.onclose = () => {
      if (socket !== ws) {
        return; // closed on purpose
      }
      socket = undefined;
      setConnection('reconnecting');
      const retry = setTimeout(open, retryDelay(attempt++));
      retryTimer = retry;
      void accessRefused().then((refused) => {
        if (refused && retryTimer === retry) {
          clearTimeout(retry);
          retryTimer = undefined;
          setConnection('expired');
        }
      });
    };
  };

  const close = (): void => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    const ws = socket;
    socket = undefined;
    ws?.close();
    attempt = 0;
    connection = 'connecting';
  };

  return {
    ...commands,
    onSnapshot(listener) {
      snapshotListeners.add(listener);
      if (!socket && retryTimer === undefined) {
        open();
      }
      return () => {
        snapshotListeners.delete(listener);
        if (snapshotListeners.size === 0) {
          close();
        }
      };
    },
    connectionState: () => connection,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

/** The body of a command's answer; anything else (a proxy's page, a 401 text) becomes a sentence. */
async function readReply(response: Response): Promise<RpcReply> {
  const text = await response.text();
  if (/^application\/json\b/.test(response.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text) as RpcReply;
    } catch {
      // fall through to the generic sentence
    }
  }
  const detail = text.trim();
  return {
    ok: false,
    error: {
      message: detail
        ? detail
        : `PG Tunnel answered with HTTP ${response.status}. Reload the window and try again.`,
    },
  };
}

function parseEvent(data: unknown): AppSnapshot | undefined {
  if (typeof data !== 'string') {
    return undefined;
  }
  try {
    const message = JSON.parse(data) as Partial<RpcEventMessage>;
    return message.event === 'snapshot' ? message.data : undefined;
  } catch {
    return undefined;
  }
}
