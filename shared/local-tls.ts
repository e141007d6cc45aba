/**
 * The names the local port is reached by, which its TLS certificate carries as subject alternative
 * names: a client with sslmode=verify-full checks the host it dialled against them (libpq checks
 * IP addresses against iPAddress names since Postgres 14; pgjdbc does too).
 */
export const LOCAL_TLS_NAMES = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

/** Whether a client dialling `host` can verify the local certificate's name (verify-full). */
export function namedByLocalCertificate(host: string): boolean {
  return ([...LOCAL_TLS_NAMES.dns, ...LOCAL_TLS_NAMES.ip] as string[]).includes(host);
}
