import WebSocket from 'ws';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { SessionFailureError, type SessionFailureCause } from '../pgwire/failure.js';
import {
  MAX_MESSAGE_BYTES,
  REQUEST_ID_HEADER,
  TCP_KEEPALIVE_MS,
} from '../pgwire/tunnel-protocol.js';

export { DEFAULT_GATEWAY_URL } from '../../shared/profile.js';

export interface DialOptions {
  gatewayUrl: string;
  apiKey: string;
  userAgent: string;
  /** Give up on an upgrade not answered within this many ms. */
  timeoutMs: number;
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** A dial that failed: its cause, and the error the local client will be shown. */
export class DialError extends SessionFailureError {}

/**
 * Opens one WebSocket to the gateway; rejects with a DialError whose cause says what went wrong
 * (key rejected 401, no database 410, another status, unreachable). The WebSocket it resolves
 * with ignores 'error' events: the 'close' that follows each one tells.
 */
export function dialGateway({
  gatewayUrl,
  apiKey,
  userAgent,
  timeoutMs,
}: DialOptions): Promise<WebSocket> {
  const url = safeUrl(gatewayUrl);
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(gatewayUrl, {
        headers: { authorization: `Bearer ${apiKey}`, 'user-agent': userAgent },
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
    const onOpen = (): void => settle(ws);
    // A gateway gone without a FIN is found by TCP keepalive even while backpressure holds.
    const onUpgrade = (response: IncomingMessage): void => {
      response.socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    };
    const onUnexpectedResponse = (_request: ClientRequest, response: IncomingMessage): void => {
      const header = response.headers[REQUEST_ID_HEADER];
      const requestId = header === undefined ? undefined : String(header);
      settle(
        new DialError(
          refusal(response.statusCode ?? 0, response.statusMessage ?? '', url, requestId),
        ),
      );
      response.resume();
      ws.terminate();
    };
    const onError = (error: NodeJS.ErrnoException): void =>
      settle(
        new DialError({ kind: 'gateway-unreachable', url, reason: error.code ?? error.message }),
      );
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
    function settle(outcome: WebSocket | DialError): void {
      clearTimeout(timer);
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
    ws.once('open', onOpen);
    ws.once('upgrade', onUpgrade);
    ws.once('unexpected-response', onUnexpectedResponse);
    ws.on('error', onError);
  });
}

function ignoreError(): void {}

function refusal(
  status: number,
  statusText: string,
  url: string,
  requestId: string | undefined,
): SessionFailureCause {
  switch (status) {
    case 401:
      return { kind: 'key-rejected', requestId };
    case 410:
      return { kind: 'no-database', requestId };
    default:
      return { kind: 'gateway-refused', url, status, statusText, requestId };
  }
}

/** The URL as shown in errors: credentials or query strings in it are dropped. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
