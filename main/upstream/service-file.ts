import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConnectionStringError, type ServiceLookup } from '../../shared/connection-string.js';

/**
 * The service files libpq reads, in its order (Postgres docs, "The Connection Service File"): the
 * user's (PGSERVICEFILE, else ~/.pg_service.conf), then the system's (pg_service.conf in
 * PGSYSCONFDIR). A service found in the first is taken from it alone.
 */
function serviceFiles(): string[] {
  const user = process.env['PGSERVICEFILE'] ?? join(homedir(), '.pg_service.conf');
  const system = process.env['PGSYSCONFDIR'];
  return system ? [user, join(system, 'pg_service.conf')] : [user];
}

/**
 * The sections of a service file as libpq reads it (fe-connect.c, parseServiceFile): `[name]`
 * starts a service, `keyword=value` lines follow (spaces around the line dropped), `#` starts a
 * comment line.
 */
export function parseServiceFile(text: string): Map<string, Map<string, string>> {
  const services = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      services.set(section[1]!, current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current && equals > 0) {
      current.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
    }
  }
  return services;
}

/**
 * Looks `name` up in the service files (see serviceFiles).
 *
 * @throws ConnectionStringError naming the files when none has it.
 */
export const lookUpService: ServiceLookup = (name) => {
  const files = serviceFiles();
  for (const path of files) {
    const found = readServices(path).get(name);
    if (found) {
      return found;
    }
  }
  throw new ConnectionStringError(
    `service "${name.slice(0, 40)}" is not in ${files.join(' or ')}: add it there, or give the connection's settings instead.`,
  );
};

/**
 * Every service of the service files, as libpq would find it: a name in the user's file hides the
 * same name in the system's. Each with its keywords (a password among them, if the file has one).
 */
export function listServices(): Array<{ name: string; keywords: Map<string, string> }> {
  const found = new Map<string, Map<string, string>>();
  for (const path of serviceFiles()) {
    for (const [name, keywords] of readServices(path)) {
      if (!found.has(name)) {
        found.set(name, keywords);
      }
    }
  }
  return [...found].map(([name, keywords]) => ({ name, keywords }));
}

function readServices(path: string): Map<string, Map<string, string>> {
  try {
    return parseServiceFile(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}
