import WebSocket from 'ws';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { createConnection } from 'node:net';
import { safeUrl } from '../../shared/format.js';
import {
  SessionFailureError,
  TLS_TO_PLAIN_REASON,
  type SessionFailureCause,
} from '../failure/failure.js';
import {
  MAX_MESSAGE_BYTES,
  REQUEST_ID_HEADER,
  TCP_KEEPALIVE_MS,
  WARM_SOCKET_HEADER,
} from '../relay/tunnel-protocol.js';
import type { TlsSessionCache } from './tls-sessions.js';

export { DEFAULT_GATEWAY_URL } from '../../shared/profile.js';

export interface DialOptions {
  gatewayUrl: string;
  apiKey: string;
  userAgent: string;
  /** Give up on an upgrade not answered within this many ms. */
  timeoutMs: number;
  /** wss:// dials resume the last TLS session kept here, and keep the next. */
  tlsSessions?: TlsSessionCache;
  /** The window's profile dialling, named in what a refused key's sentence says to do. */
  profile?: string;
}

/** An open WebSocket to the gateway, and what its upgrade answer said. */
export interface DialedSocket {
  ws: WebSocket;
  /**
   * How long, in ms, the gateway holds a warm socket before its first message, as its answer
   * announced (WARM_SOCKET_HEADER); undefined: it holds none.
   */
  warmWaitMs: number | undefined;
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** A dial that failed: its cause, and the error the local client will be shown. */
export class DialError extends SessionFailureError {}

/** How one dial is made. */
export interface DialRequest {
  /** Announce the WebSocket as opened ahead of need (WARM_SOCKET_HEADER). */
  warm?: boolean;
  /**
   * Aborted when the tunnel stops: the dial is given up (it rejects with the 'tunnel-stopping'
   * cause), and nothing stays open.
   */
  signal?: AbortSignal;
}

/**
 * Opens one WebSocket to the gateway; rejects with a DialError whose cause says what went wrong
 * (key rejected 401, no database 410, another status, unreachable, the tunnel stopping). The WebSocket it
 * resolves with ignores 'error' events: the 'close' that follows each one tells.
 */
export function dialGateway(
  { gatewayUrl, apiKey, userAgent, timeoutMs, tlsSessions, profile }: DialOptions,
  { warm = false, signal }: DialRequest = {},
): Promise<DialedSocket> {
  const url = safeUrl(gatewayUrl);
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    let warmWaitMs: number | undefined;
    try {
      ws = new WebSocket(gatewayUrl, {
        headers: {
          authorization: `Bearer ${apiKey}`,
          'user-agent': userAgent,
          ...(warm ? { [WARM_SOCKET_HEADER]: '1' } : {}),
        },
        ...(tlsSessions && gatewayUrl.startsWith('wss:')
          ? { createConnection: tlsSessions.connect as unknown as typeof createConnection }
          : {}),
        perMessageDeflate: false,
        // Masking guards proxies against script-crafted bytes from browsers. Between two programs,
        // under TLS, it only costs a copy and an XOR of every byte sent: a zero mask skips both on
        // this side and, in ws, the unmasking on the gateway's.
        generateMask: zeroMask,
        maxPayload: MAX_MESSAGE_BYTES,
      });
    } catch (error) {
      reject(new DialError({ kind: 'gateway-unreachable', url, reason: (error as Error).message }));
      return;
    }
    // The first outcome settles the dial and removes the dial's listeners, so that an open
    // WebSocket keeps nothing of its dialling alive. The timeout is ours rather than ws's
    // handshakeTimeout, which leaves a spent timer on the socket of every session.
    const onOpen = (): void => settle({ ws, warmWaitMs });
    const onUpgrade = (response: IncomingMessage): void => {
      // A gateway gone without a FIN is found by TCP keepalive even while backpressure holds.
      response.socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
      const wait = Number(response.headers[WARM_SOCKET_HEADER]);
      warmWaitMs = Number.isSafeInteger(wait) && wait > 0 ? wait : undefined;
    };
    const onUnexpectedResponse = (_request: ClientRequest, response: IncomingMessage): void => {
      const header = response.headers[REQUEST_ID_HEADER];
      const requestId = header === undefined ? undefined : String(header);
      settle(
        new DialError(
          refusal(response.statusCode ?? 0, response.statusMessage ?? '', url, {
            requestId,
            profile,
          }),
        ),
      );
      response.resume();
      ws.terminate();
    };
    const onError = (error: NodeJS.ErrnoException): void =>
      settle(new DialError({ kind: 'gateway-unreachable', url, reason: unreachableReason(error) }));
    const timer = setTimeout(() => {
      settle(
        new DialError({
          kind: 'gateway-unreachable',
          url,
          reason: `no answer within ${timeoutMs / 1000} s`,
        }),
      );
      ws.terminate();
    }, timeoutMs);
    const onAbort = (): void => {
      settle(new DialError({ kind: 'tunnel-stopping' }));
      ws.terminate();
    };
    function settle(outcome: DialedSocket | DialError): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      ws.off('open', onOpen);
      ws.off('upgrade', onUpgrade);
      ws.off('unexpected-response', onUnexpectedResponse);
      ws.off('error', onError);
      ws.on('error', ignoreError);
      if (outcome instanceof DialError) {
        reject(outcome);
      } else {
        resolve(outcome);
      }
    }
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort);
    ws.once('open', onOpen);
    ws.once('upgrade', onUpgrade);
    ws.once('unexpected-response', onUnexpectedResponse);
    ws.on('error', onError);
  });
}

function ignoreError(): void {}

/**
 * Why no WebSocket opened, in the words a user reads: the system's code (ECONNREFUSED, ENOTFOUND),
 * or, for a wss:// dial answered in plain text, that the gateway has no TLS there.
 */
function unreachableReason(error: NodeJS.ErrnoException): string {
  // OpenSSL reads the plain HTTP answer as a TLS record of an unknown version.
  if (error.code === 'EPROTO' || /wrong version number/i.test(error.message)) {
    return TLS_TO_PLAIN_REASON;
  }
  return error.code ?? error.message;
}

function refusal(
  status: number,
  statusText: string,
  url: string,
  { requestId, profile }: { requestId: string | undefined; profile: string | undefined },
): SessionFailureCause {
  switch (status) {
    case 401:
      return { kind: 'key-rejected', requestId, ...(profile ? { profile } : {}) };
    case 410:
      return { kind: 'no-database', requestId, ...(profile ? { profile } : {}) };
    default:
      return { kind: 'gateway-refused', url, status, statusText, requestId };
  }
}
