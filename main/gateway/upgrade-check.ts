import { parseRequestTarget } from '../http/request-target.js';
import { TUNNEL_PATH } from '../relay/tunnel-protocol.js';
import type { UpstreamTarget } from '../upstream/target.js';
import type { FailedKeyLimiter } from './failed-key-limiter.js';
import type { KeyEntry, KeyRegistry } from './keys.js';

/** What a connection past the cap on pending connections is told to wait, in s. */
export const OVER_CAP_RETRY_AFTER_S = 5;

/** What the upgrade check reads of one request, with no socket in sight. */
export interface UpgradeRequest {
  /** The request target as sent (`req.url`). */
  target: string | undefined;
  /** The Authorization header, if any. */
  authorization: string | undefined;
  /** The client's address for counting (see clientAddressOf). */
  clientHost: string;
  /** The gateway is draining (SIGTERM): new tunnels go elsewhere. */
  draining: boolean;
  /** This connection is past the cap on pending connections (PendingConnections.isOverCap). */
  overCap: boolean;
}

/** A refused upgrade: the HTTP status line's code and reason, the sentence, and what it counts as. */
export interface UpgradeRefusal {
  accept: false;
  status: number;
  reason: string;
  /** The body's sentence, which the engine shows the user with the status. */
  message: string;
  /** Seconds to wait, sent as Retry-After (429, 503 past the cap). */
  retryAfterSeconds?: number;
  /** Counted in the gateway's stats: an unknown key, or a client address refused for a while. */
  counted?: 'auth-failure' | 'limited';
  /** This unknown key put its client address over the limit just now (logged once). */
  newlyLimited?: boolean;
}

/** The decision on a tunnel's upgrade request. */
export type UpgradeDecision =
  /** `key` as the registry holds it (warm sockets and reloads compare it), `upstream` its database. */
  { accept: true; key: KeyEntry; upstream: UpstreamTarget } | UpgradeRefusal;

/**
 * Decides a tunnel's upgrade request in the contract's order (DESIGN.md, "The wire contract"):
 * the path (400 unreadable, 404 not /websocket), draining (503), the cap on pending connections
 * (503 with Retry-After), the failed-key limit on the client's address (429 with Retry-After),
 * the Bearer key (401 unknown, counted against the address), and a key with no database (410).
 * Reads and records only in `limiter`; everything else is the caller's to apply.
 */
export function checkUpgrade(
  request: UpgradeRequest,
  keys: Pick<KeyRegistry, 'find'>,
  limiter: Pick<FailedKeyLimiter, 'retryAfterMs' | 'recordFailure'>,
): UpgradeDecision {
  const path = parseRequestTarget(request.target)?.pathname;
  if (path === undefined) {
    return refusal(400, 'Bad Request', 'The request target is not a valid URL path.');
  }
  if (path !== TUNNEL_PATH) {
    return refusal(404, 'Not Found', `Tunnels open at ${TUNNEL_PATH}.`);
  }
  if (request.draining) {
    return refusal(503, 'Service Unavailable', 'The gateway is shutting down; connect again.');
  }
  if (request.overCap) {
    return {
      ...refusal(
        503,
        'Service Unavailable',
        'The gateway has too many connections waiting; try again shortly.',
      ),
      retryAfterSeconds: OVER_CAP_RETRY_AFTER_S,
    };
  }
  const retryAfterMs = limiter.retryAfterMs(request.clientHost);
  if (retryAfterMs > 0) {
    const seconds = Math.ceil(retryAfterMs / 1000);
    return {
      ...refusal(
        429,
        'Too Many Requests',
        `Too many unknown API keys from this address; try again in ${seconds} s.`,
      ),
      retryAfterSeconds: seconds,
      counted: 'limited',
    };
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? '');
  const key = bearer ? keys.find(bearer[1]!) : undefined;
  if (!key) {
    return {
      ...refusal(401, 'Unauthorized', 'The API key is invalid.'),
      counted: 'auth-failure',
      newlyLimited: limiter.recordFailure(request.clientHost),
    };
  }
  const upstream = key.upstream;
  if (!upstream) {
    return refusal(410, 'Gone', 'There is no database behind this API key.');
  }
  return { accept: true, key, upstream };
}

function refusal(status: number, reason: string, message: string): UpgradeRefusal {
  return { accept: false, status, reason, message };
}
