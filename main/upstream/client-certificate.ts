import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loginFailed } from './upstream-error.js';
import type { UpstreamTarget } from './target.js';

/** What tls.connect takes for a client certificate. */
export interface ClientCertificateOptions {
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
}

/**
 * The client certificate to offer, as libpq picks it (Postgres docs, "Client Certificates";
 * fe-secure-openssl.c, initialize_SSL): sslcert, else ~/.postgresql/postgresql.crt, offered only
 * if the file exists; its key from sslkey, else ~/.postgresql/postgresql.key, which must exist
 * then and, on Unix, be readable by its owner only (0600 or less; 0640 or less when root owns it);
 * sslpassword is the key's passphrase. sslcertmode=disable offers none.
 *
 * @throws UpstreamError (`login-failed`) with a sentence naming the file at fault.
 */
export function clientCertificate(target: UpstreamTarget): ClientCertificateOptions {
  if (target.sslCertMode === 'disable') {
    return {};
  }
  const dir = join(homedir(), '.postgresql');
  const certPath = target.sslCert ?? join(dir, 'postgresql.crt');
  const cert = readIfPresent(target, certPath);
  if (!cert) {
    return {};
  }
  const keyPath = target.sslKey ?? join(dir, 'postgresql.key');
  let stat;
  try {
    stat = statSync(keyPath);
  } catch {
    throw loginFailed(
      target,
      `the client certificate ${certPath} has no private key file (${keyPath} does not exist): set sslkey`,
    );
  }
  const tooOpen = stat.uid === 0 ? (stat.mode & 0o037) !== 0 : (stat.mode & 0o077) !== 0;
  if (process.platform !== 'win32' && tooOpen) {
    throw loginFailed(
      target,
      `the private key file ${keyPath} may be read by others; libpq refuses it too: chmod 600 it`,
    );
  }
  return {
    cert,
    key: readIfPresent(target, keyPath)!,
    ...(target.sslPassword === undefined ? {} : { passphrase: target.sslPassword }),
  };
}

/** The file's bytes, or undefined when it does not exist. @throws UpstreamError if unreadable. */
function readIfPresent(target: UpstreamTarget, path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return undefined;
    }
    throw loginFailed(target, `cannot read ${path} (${code ?? (error as Error).message})`);
  }
}
