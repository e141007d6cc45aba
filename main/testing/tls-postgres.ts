import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { installCertificate, startPostgres, type PostgresServer } from './postgres.js';
import type { TestCertificate } from './tls.js';
import { until } from './until.js';

/** A Postgres with TLS on, whose server certificate a test can change while it runs. */
export interface TlsPostgresServer extends PostgresServer {
  /**
   * Makes `certificate` the server's (ssl_cert_file, ssl_key_file) and reloads the configuration,
   * as an operator renewing it would; resolves once new connections are shown it.
   */
  useCertificate(certificate: TestCertificate): Promise<void>;
}

/**
 * A Postgres of its own with TLS on (`certificate` as its server certificate), scram-sha-256, and
 * `hba` as its pg_hba.conf when given; `setupSql` runs as its owner once it is up, one statement
 * at a time (roles, databases: CREATE DATABASE cannot share a transaction).
 */
export async function startTlsPostgres({
  certificate,
  hba,
  setupSql,
}: {
  certificate: TestCertificate;
  hba?: string;
  setupSql?: string[];
}): Promise<TlsPostgresServer> {
  let dataDir = '';
  const server = await startPostgres({
    tls: certificate,
    beforeStart: async (dir) => {
      dataDir = dir;
      if (hba !== undefined) {
        await writeFile(join(dir, 'pg_hba.conf'), hba);
      }
    },
  });
  const asOwner = async (sql: string): Promise<void> => {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(sql);
    await admin.end();
  };
  for (const statement of setupSql ?? []) {
    await asOwner(statement);
  }
  return {
    ...server,
    useCertificate: async (next) => {
      await installCertificate(dataDir, next);
      await asOwner('select pg_reload_conf()');
      const wanted = new X509Certificate(await readFile(next.certPath)).fingerprint256;
      // The postmaster reloads on its own time: wait until a handshake shows the new certificate.
      await until(
        async () => ((await presentedFingerprint(server.port)) === wanted ? true : undefined),
        'the new server certificate',
      );
    },
  };
}

/** An SSLRequest, then a handshake: the SHA-256 fingerprint of the certificate shown. */
function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(serialize.requestSsl()));
    socket.once('error', reject);
    socket.once('data', () => {
      const tls = connectTls({ socket, rejectUnauthorized: false }, () => {
        resolve(tls.getPeerCertificate().fingerprint256);
        tls.destroy();
      });
      tls.once('error', reject);
    });
  });
}
