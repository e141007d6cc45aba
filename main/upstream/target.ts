/** Where and how the gateway logs in for one API key. */
export interface UpstreamTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
  sslMode: SslMode;
  /** CA file for verify-ca / verify-full; the system's CAs when absent. */
  sslRootCert: string | undefined;
}

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const DEFAULT_PORT = 5432;
/**
 * The libpq URI parameters the gateway acts on. Any other is refused rather than ignored: a setting
 * the gateway silently dropped would show up later as a login that fails for no visible reason.
 */
const QUERY_PARAMETERS = ['sslmode', 'sslrootcert', 'password'];

/**
 * Reads `postgres://user:pass@host:port/db?sslmode=...`, the password also as libpq's
 * `?password=`. Throws a sentence that never contains the URL itself, since it may hold a password.
 */
export function parseUpstreamUrl(url: string, passwordFromEnv?: string): UpstreamTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`must start with postgres:// (found ${parsed.protocol}//)`);
  }
  if (!parsed.hostname) {
    throw new Error('names no host');
  }
  const user = decodeURIComponent(parsed.username);
  if (!user) {
    throw new Error('names no user (postgres://USER@host/database)');
  }
  const unknown = [...parsed.searchParams.keys()].filter(
    (name) => !QUERY_PARAMETERS.includes(name),
  );
  if (unknown.length > 0) {
    throw new Error(
      `has ?${unknown.join(', ?')}, which the gateway does not use; it reads ${QUERY_PARAMETERS.join(', ')}`,
    );
  }
  const sslMode = parsed.searchParams.get('sslmode') ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(sslMode)) {
    throw new Error(`has sslmode=${sslMode}; use one of ${SSL_MODES.join(', ')}`);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
    user,
    database: decodeURIComponent(parsed.pathname.slice(1)) || user,
    password:
      passwordFromEnv ??
      (parsed.password ? decodeURIComponent(parsed.password) : undefined) ??
      parsed.searchParams.get('password') ??
      undefined,
    sslMode: sslMode as SslMode,
    sslRootCert: parsed.searchParams.get('sslrootcert') ?? undefined,
  };
}

/** The target without its password, for logs. */
export function describeTarget(target: UpstreamTarget): string {
  return `${target.user}@${target.host}:${target.port}/${target.database}`;
}
