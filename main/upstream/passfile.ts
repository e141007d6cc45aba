import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where libpq looks for the password file when the connection names none (Unix; Windows differs). */
function defaultPassfile(): string {
  return process.platform === 'win32'
    ? join(process.env['APPDATA'] ?? homedir(), 'postgresql', 'pgpass.conf')
    : join(homedir(), '.pgpass');
}

/** What a password file entry is matched against. */
export interface PassfileQuery {
  /** The connection's passfile, else PGPASSFILE, else ~/.pgpass. */
  passfile: string | undefined;
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * The password for a login from libpq's password file (Postgres docs, "The Password File";
 * fe-connect.c, passwordFromFile): lines `hostname:port:database:username:password`, `*` matching
 * anything in the first four, `\` taking the next character as it is (`\:`), `#` starting a
 * comment; the first line that matches wins. As libpq does, a file that is not a plain file, or
 * that its group or others may read or write (on Unix), is not used. Undefined when there is no
 * file or no entry.
 */
export function passwordFromPassfile(query: PassfileQuery): string | undefined {
  const wanted = [query.host, String(query.port), query.database, query.user];
  return passfileEntries(query.passfile).find((fields) =>
    wanted.every((value, i) => fields[i] === '*' || fields[i] === value),
  )?.[4];
}

/**
 * The entries of the password file (`passfile`, else PGPASSFILE, else libpq's default), each as
 * its five fields `[hostname, port, database, username, password]`, in file order; none when the
 * file is missing or libpq would not use it (see passwordFromPassfile).
 */
export function passfileEntries(passfile: string | undefined): string[][] {
  const path = passfile ?? process.env['PGPASSFILE'] ?? defaultPassfile();
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile() || (process.platform !== 'win32' && (stat.mode & 0o077) !== 0)) {
      return [];
    }
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('#') && line.trim() !== '')
    .map(splitEntry)
    .filter((fields) => fields.length >= 5);
}

/** The fields of one line, split at `:` not escaped by `\`, escapes removed. */
function splitEntry(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      field += line[++i];
    } else if (c === ':' && fields.length < 4) {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  return [...fields, field];
}
