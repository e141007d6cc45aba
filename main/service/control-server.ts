import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { parseRequestTarget } from '../http/request-target.js';
import { dispatchCommand, isRpcCommand } from '../../shared/rpc-dispatch.js';
import {
  RpcError,
  type AppSnapshot,
  type RpcClient,
  type RpcEventMessage,
} from '../../shared/rpc.js';
import { newUiToken } from './ui-address.js';

/** What the control server serves: the RPC commands and a stream of snapshots. */
export interface ControlTarget {
  commands: RpcClient;
  snapshot(): AppSnapshot;
  subscribe(listener: (snapshot: AppSnapshot) => void): () => void;
}

export interface ControlServerOptions {
  target: ControlTarget;
  /** 0 picks a free port. Always bound to 127.0.0.1. */
  port: number;
  /** The built renderer (index.html and assets); a notice page is served when it is absent. */
  staticDir: string | undefined;
  /** The access token (see newUiToken): a kept one, so a bookmarked URL keeps working; default new. */
  token?: string;
}

export interface ControlServer {
  /** http://127.0.0.1:PORT/?token=… — the one URL that opens the window. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const TOKEN_COOKIE = 'pg_tunnel_token';
const MAX_BODY_BYTES = 64 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the window and the RPC contract to a browser on this machine only. Every request needs
 * the random token (query on the first page, then an HttpOnly SameSite cookie, or a Bearer header);
 * Host and Origin must name this loopback server, which defeats DNS rebinding and cross-site calls.
 */
export async function startControlServer({
  target,
  port,
  staticDir,
  token = newUiToken(),
}: ControlServerOptions): Promise<ControlServer> {
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();

  const csp = (boundPort: number): string =>
    [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${boundPort} ws://localhost:${boundPort}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  const hasToken = (req: IncomingMessage, url: URL): boolean => {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = parseCookies(req.headers.cookie)[TOKEN_COOKIE];
    return [url.searchParams.get('token'), bearer, cookie].some(
      (candidate) => candidate && sameSecret(candidate, token),
    );
  };

  /** The checks every request and upgrade passes before anything else; a status code when refused. */
  const refusal = (req: IncomingMessage, url: URL): [number, string] | undefined => {
    if (!allowedHosts.has(req.headers.host ?? '')) {
      return [403, 'This server answers only to 127.0.0.1 and localhost.'];
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      return [403, 'Requests from other sites are refused.'];
    }
    if (!hasToken(req, url)) {
      return [401, 'Open the URL that pg-tunnel ui printed: it carries the access token.'];
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    const url = parseRequestTarget(req.url);
    if (!url) {
      sendText(res, 400, 'The request target is not a valid URL path.');
      return;
    }
    const refused = refusal(req, url);
    const boundPort = (server.address() as AddressInfo).port;
    res.setHeader('content-security-policy', csp(boundPort));
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-store');
    if (refused) {
      sendText(res, ...refused);
      return;
    }
    if (url.pathname.startsWith('/rpc/')) {
      void serveCommand(req, res, url.pathname.slice('/rpc/'.length), target.commands);
      return;
    }
    if (req.method !== 'GET') {
      sendText(res, 405, 'Method not allowed.');
      return;
    }
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a cookie, so assets and the event socket carry it too.
      res.setHeader('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    void serveStatic(res, staticDir, url.pathname);
  });

  const events = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const url = parseRequestTarget(req.url);
    const refused: [number, string] | undefined = !url
      ? [400, 'The request target is not a valid URL path.']
      : (refusal(req, url) ?? (url.pathname === '/events' ? undefined : [404, 'Not found.']));
    if (refused) {
      socket.end(
        `HTTP/1.1 ${refused[0]} Refused\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${refused[1]}\n`,
      );
      return;
    }
    events.handleUpgrade(req, socket, head, (ws) => {
      const send = (snapshot: AppSnapshot): void => {
        const message: RpcEventMessage = { event: 'snapshot', data: snapshot };
        ws.send(JSON.stringify(message));
      };
      send(target.snapshot());
      const unsubscribe = target.subscribe(send);
      ws.on('close', unsubscribe);
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const boundPort = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${boundPort}`, `localhost:${boundPort}`]);
  allowedOrigins = new Set([...allowedHosts].map((host) => `http://${host}`));
  return {
    url: `http://127.0.0.1:${boundPort}/?token=${token}`,
    port: boundPort,
    close: () =>
      new Promise((resolve) => {
        for (const ws of events.clients) {
          ws.terminate();
        }
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serveCommand(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  commands: RpcClient,
): Promise<void> {
  if (req.method !== 'POST') {
    sendText(res, 405, 'Commands are POST requests.');
    return;
  }
  // A JSON content type cannot be sent cross-site without a CORS preflight, which is never granted.
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
    sendText(res, 415, 'Commands take a JSON body.');
    return;
  }
  if (!isRpcCommand(name)) {
    sendJson(res, 404, { ok: false, error: { message: `There is no command ${name}.` } });
    return;
  }
  let args: unknown;
  try {
    const body = await readBody(req);
    args = body ? ((JSON.parse(body) as { args?: unknown }).args ?? []) : [];
  } catch (error) {
    // readBody's own refusal (too large) is already a sentence; a parse failure is JSON's.
    const message =
      error instanceof RpcError
        ? error.message
        : `The request is not valid JSON: ${(error as Error).message}`;
    sendJson(res, error instanceof RpcError ? 413 : 400, { ok: false, error: { message } });
    return;
  }
  if (!Array.isArray(args)) {
    sendJson(res, 400, { ok: false, error: { message: 'The command arguments must be a list.' } });
    return;
  }
  sendJson(res, 200, await dispatchCommand(commands, name, args));
}

async function serveStatic(
  res: ServerResponse,
  staticDir: string | undefined,
  pathname: string,
): Promise<void> {
  if (!staticDir || !existsSync(join(staticDir, 'index.html'))) {
    sendText(
      res,
      200,
      'PG Tunnel is running, but its window is not built. Run `npm run build` and reload.',
    );
    return;
  }
  let relative: string;
  try {
    relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
  } catch {
    // A malformed percent-escape (`/%E0%A4%A`) names no file.
    sendText(res, 404, 'Not found.');
    return;
  }
  // resolve() drops a trailing separator (RENDERER_DIR has one), so the prefix check holds.
  const root = resolve(staticDir);
  const file = resolve(root, relative);
  if (!file.startsWith(root + sep)) {
    sendText(res, 404, 'Not found.');
    return;
  }
  try {
    const content = await readFile(file);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    });
    res.end(content);
  } catch {
    sendText(res, 404, 'Not found.');
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RpcError('The request is too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return cookies;
}

function sameSecret(candidate: string, token: string): boolean {
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
