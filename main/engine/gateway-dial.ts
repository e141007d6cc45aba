import WebSocket from 'ws';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { SqlState, type PgError } from '../pgwire/error-response.js';

export { DEFAULT_GATEWAY_URL } from '../../shared/profile.js';
/** The gateway's response header naming the request in its logs. */
const REQUEST_ID_HEADER = 'prisma-request-id';
/** Largest message accepted from the gateway; it sends what one upstream read gave it. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface DialOptions {
  gatewayUrl: string;
  apiKey: string;
  userAgent: string;
  timeoutMs: number;
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** A dial that failed, as the error the local client will be shown. */
export class DialError extends Error {
  constructor(readonly pgError: PgError) {
    super(pgError.message);
  }
}

/**
 * Opens one WebSocket to the gateway; rejects with a DialError that says what went wrong. The
 * WebSocket it resolves with ignores 'error' events: the 'close' that follows each one tells.
 */
export function dialGateway({
  gatewayUrl,
  apiKey,
  userAgent,
  timeoutMs,
}: DialOptions): Promise<WebSocket> {
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
      reject(unreachable(gatewayUrl, (error as Error).message));
      return;
    }
    // The first outcome settles the dial and removes the dial's listeners, so that an open
    // WebSocket keeps nothing of its dialling alive. The timeout is ours rather than ws's
    // handshakeTimeout, which leaves a spent timer on the socket of every session.
    const onOpen = (): void => settle(ws);
    const onUnexpectedResponse = (_request: ClientRequest, response: IncomingMessage): void => {
      const requestId = response.headers[REQUEST_ID_HEADER];
      const suffix = requestId ? ` (request id ${String(requestId)})` : '';
      settle(refused(response.statusCode ?? 0, response.statusMessage ?? '', gatewayUrl, suffix));
      response.resume();
      ws.terminate();
    };
    const onError = (error: NodeJS.ErrnoException): void =>
      settle(unreachable(gatewayUrl, error.code ?? error.message));
    const timer = setTimeout(() => {
      settle(unreachable(gatewayUrl, `no answer within ${timeoutMs / 1000} s`));
      ws.terminate();
    }, timeoutMs);
    function settle(outcome: WebSocket | DialError): void {
      clearTimeout(timer);
      ws.off('open', onOpen);
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
    ws.once('unexpected-response', onUnexpectedResponse);
    ws.on('error', onError);
  });
}

function ignoreError(): void {}

function refused(status: number, statusText: string, url: string, suffix: string): DialError {
  switch (status) {
    case 401:
      return new DialError({
        severity: 'FATAL',
        code: SqlState.InvalidPassword,
        message: `API key is invalid: the tunnel gateway refused it${suffix}`,
        hint: 'Check the API key of this tunnel (PDP_API_KEY or the api_key of DATABASE_URL).',
      });
    case 410:
      return new DialError({
        severity: 'FATAL',
        code: SqlState.InvalidAuthorization,
        message: `there is no database behind this API key${suffix}`,
        hint: 'Create a database for it, or use the API key of the environment that has one.',
      });
    default:
      return new DialError({
        severity: 'FATAL',
        code: SqlState.UnableToConnect,
        message: `the tunnel gateway at ${safeUrl(url)} answered ${status} ${statusText}${suffix}`,
      });
  }
}

function unreachable(url: string, reason: string): DialError {
  return new DialError({
    severity: 'FATAL',
    code: SqlState.UnableToConnect,
    message: `could not reach the tunnel gateway at ${safeUrl(url)}: ${reason}`,
  });
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
