import { parseApiKeyInput } from './api-key.js';

/** A remote tunnel, or the local playground (embedded Postgres + in-process gateway). */
export type ProfileKind = 'remote' | 'playground';

export interface Profile {
  id: string;
  name: string;
  kind: ProfileKind;
  /** wss:// URL of the gateway; unused by the playground, whose gateway runs in-process. */
  gatewayUrl: string;
  host: string;
  /** null until first start when random: then the port the OS gave is kept. */
  port: number | null;
  portMode: 'random' | 'fixed';
  autoStart: boolean;
  /**
   * TLS on the local port: clients that ask for it (sslmode=require, verify-full with the local
   * CA, direct TLS) get it; those that do not still connect in plain text.
   */
  tls: boolean;
}

/** What the renderer may see of a profile: never the key, only its masked tail. */
export interface ProfileView extends Profile {
  /**
   * The key's masked tail, once the core has read or saved the key in this run (it reads keys when
   * a tunnel starts, never all at launch); null before that, or when there is no key.
   */
  apiKeyMask: string | null;
}

/** Fields a user fills in to add or edit a profile. `apiKey` omitted on edit keeps the saved key. */
export interface ProfileInput {
  name: string;
  gatewayUrl?: string;
  host?: string;
  port?: number | null;
  portMode?: 'random' | 'fixed';
  autoStart?: boolean;
  tls?: boolean;
  /** A bare API key or a DATABASE_URL holding one. */
  apiKey?: string;
}

export const DEFAULT_GATEWAY_URL = 'wss://ppg-tunnel.prisma-data.net/websocket';
export const DEFAULT_HOST = '127.0.0.1';
/**
 * Whether the local port offers TLS unless a profile or `--tls` says otherwise (the figures behind
 * this choice are in the README's benchmark section).
 */
export const DEFAULT_LOCAL_TLS = true;

export type ProfileErrors = Partial<Record<keyof ProfileInput, string>>;

/** Inline validation, shared by the renderer (as the user types) and the core (the authority). */
export function validateProfileInput(
  input: ProfileInput,
  { requireKey }: { requireKey: boolean },
): ProfileErrors {
  const errors: ProfileErrors = {};
  if (!input.name.trim()) {
    errors.name = 'Give the tunnel a name.';
  } else if (input.name.length > 80) {
    errors.name = 'Keep the name under 80 characters.';
  }
  if (input.gatewayUrl !== undefined && !/^wss?:\/\/[^\s/]+(\/\S*)?$/.test(input.gatewayUrl)) {
    errors.gatewayUrl = 'The gateway URL starts with wss:// (or ws:// for a local gateway).';
  }
  if (input.host !== undefined && !/^[A-Za-z0-9.:-]+$/.test(input.host)) {
    errors.host = 'The host is an address of this machine, such as 127.0.0.1.';
  }
  if (input.portMode === 'fixed') {
    const port = input.port;
    if (
      port === null ||
      port === undefined ||
      !Number.isInteger(port) ||
      port < 1 ||
      port > 65535
    ) {
      errors.port = 'A fixed port is a number from 1 to 65535.';
    }
  }
  if (input.apiKey !== undefined || requireKey) {
    const parsed = parseApiKeyInput(input.apiKey ?? '', 'The API key');
    if (!parsed.ok) {
      errors.apiKey = parsed.error;
    }
  }
  return errors;
}

/** Loopback addresses: anything else exposes the database to the network. */
export function isLoopbackHost(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host);
}
