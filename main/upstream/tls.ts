import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  checkServerIdentity,
  connect as connectTls,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import { serialize } from 'pg-protocol';
import { ENCRYPTION_REFUSED, SSL_ACCEPTED } from '../pgwire/codes.js';
import type { CertificateProblem } from '../failure/failure.js';
import { clientCertificate } from './client-certificate.js';
import { loginFailed } from './upstream-error.js';
import type { ConnectDeadline } from './connect-deadline.js';
import { addressOf, type UpstreamTarget } from './target.js';
import { UpstreamError } from './upstream-error.js';

/** libpq's default sslrootcert, in the home directory of whoever runs the connector. */
function defaultRootCertPath(): string {
  return join(homedir(), '.postgresql', 'root.crt');
}

/**
 * What the server's certificate is checked against, as libpq decides it (Postgres docs, "SSL
 * Support", "Certificate verification"): sslrootcert's file (~/.postgresql/root.crt without
 * one) when it exists; `system`, the operating system's trusted CAs (here Node's store, which
 * takes NODE_EXTRA_CA_CERTS in too). verify-ca and verify-full check the chain, and require does
 * too when a CA file was found (libpq: "behaves like verify-ca"); verify-full also checks that the
 * certificate names the host.
 */
interface Trust {
  /** The CA certificates; undefined: Node's store (sslrootcert=system), or nothing to check. */
  ca: Buffer | undefined;
  checkChain: boolean;
  checkName: boolean;
  /** What the chain was checked against, for the sentence when it fails. */
  against: string;
}

function trustFor(target: UpstreamTarget): Trust {
  const { sslMode, sslRootCert } = target;
  const verify = sslMode === 'verify-ca' || sslMode === 'verify-full';
  if (sslRootCert === 'system') {
    // Only with verify-full (see validateDirectUpstream), as libpq 16 allows it.
    return {
      ca: undefined,
      checkChain: true,
      checkName: sslMode === 'verify-full',
      against: "checked against the system's trusted CAs",
    };
  }
  // libpq reads the file only if it is there: a missing one leaves require, prefer and allow
  // unchecked and stops verify-ca and verify-full.
  const path = sslRootCert ?? defaultRootCertPath();
  if (!existsSync(path)) {
    if (verify) {
      throw loginFailed(
        target,
        `sslmode=${sslMode} needs a CA to check the server's certificate against, and ${path} does not exist: set sslrootcert to the CA's file, or sslrootcert=system for the system's trusted CAs`,
      );
    }
    return { ca: undefined, checkChain: false, checkName: false, against: '' };
  }
  let ca: Buffer;
  try {
    ca = readFileSync(path);
  } catch (error) {
    throw loginFailed(
      target,
      `cannot read the CA file sslrootcert=${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const checks = verify || sslMode === 'require';
  return {
    ca,
    checkChain: checks,
    checkName: sslMode === 'verify-full',
    against: `checked against sslrootcert=${path}`,
  };
}

/**
 * Sends an SSLRequest and, if the server answers 'S', runs the TLS handshake and checks the
 * certificate as the sslmode asks. Resolves with the TLS socket, or undefined when the server
 * answered 'N' (the caller decides whether plain text will do).
 *
 * @throws UpstreamError `certificate-rejected` when a check fails, `login-failed` when the handshake
 *   fails or the server answers the SSLRequest with anything else.
 */
export async function startTls(
  socket: Socket,
  target: UpstreamTarget,
  deadline: ConnectDeadline,
): Promise<TLSSocket | undefined> {
  const trust = trustFor(target);
  const direct = target.sslNegotiation === 'direct';
  if (!direct) {
    deadline.stage = 'ssl-request';
    socket.write(serialize.requestSsl());
    const answer = await readAnswer(socket, target);
    if (answer === ENCRYPTION_REFUSED[0]) {
      return undefined;
    }
    if (answer !== SSL_ACCEPTED) {
      throw loginFailed(target, 'the server answered the SSLRequest with neither S nor N');
    }
  }
  deadline.stage = 'tls';
  const tls = openTls(socket, target, trust, direct);
  deadline.watch(tls);
  await handshake(tls, target);
  // libpq's rule for direct TLS: a server that did not pick `postgresql` may not be Postgres.
  if (direct && tls.alpnProtocol !== POSTGRES_ALPN) {
    tls.destroy();
    throw loginFailed(
      target,
      'the server did not accept direct TLS (ALPN "postgresql"): it may be older than Postgres 17; use sslnegotiation=postgres',
    );
  }
  const certificate = tls.getPeerCertificate();
  if (trust.checkChain && !tls.authorized) {
    tls.destroy();
    throw rejected(target, chainProblem(String(tls.authorizationError), certificate, trust));
  }
  if (trust.checkName) {
    const mismatch = checkServerIdentity(target.host, certificate);
    if (mismatch) {
      tls.destroy();
      throw rejected(target, {
        problem: 'hostname',
        detail: `${target.host} is not among its names: ${certificate.subjectaltname ?? `CN=${certificate.subject?.CN ?? '?'}`}`,
      });
    }
  }
  tls.setNoDelay(true);
  return tls;
}

/** The ALPN protocol of Postgres (protocol-flow.html, "Direct SSL connection"). */
const POSTGRES_ALPN = 'postgresql';

/**
 * Starts the TLS handshake on `socket` with the trust, the client certificate (see
 * clientCertificate) and, for direct TLS, ALPN `postgresql`.
 *
 * @throws UpstreamError `login-failed` when the client certificate or its key cannot be used.
 */
function openTls(socket: Socket, target: UpstreamTarget, trust: Trust, direct: boolean): TLSSocket {
  const certificate = clientCertificate(target);
  try {
    return connectTls({
      socket,
      host: target.host,
      // SNI takes host names only (RFC 6066 §3), as libpq's sslsni sends them.
      ...(isIP(target.host) || target.sslSni === false ? {} : { servername: target.host }),
      ...(trust.ca ? { ca: trust.ca } : {}),
      ...certificate,
      ...revocationLists(target),
      // libpq's default minimum is TLSv1.2 as Node's is; libpq's names are Node's.
      ...(target.sslMinProtocolVersion ? { minVersion: target.sslMinProtocolVersion } : {}),
      ...(target.sslMaxProtocolVersion ? { maxVersion: target.sslMaxProtocolVersion } : {}),
      ...(direct ? { ALPNProtocols: [POSTGRES_ALPN] } : {}),
      // Checked below, where the failure can be told apart and put in words: the chain by Node
      // (authorized), the name by checkServerIdentity for verify-full only.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
  } catch (error) {
    throw loginFailed(
      target,
      `cannot use the client certificate or its private key (${(error as Error).message}); check sslcert, sslkey and sslpassword`,
    );
  }
}

/**
 * sslcrl's file and the files of sslcrldir, PEM, as Node's `crl` takes them: a certificate they
 * revoke fails the chain check (CERT_REVOKED) where the sslmode checks the chain.
 *
 * @throws UpstreamError `login-failed` when one cannot be read.
 */
function revocationLists(target: UpstreamTarget): { crl?: Buffer[] } {
  const paths = [
    ...(target.sslCrl ? [target.sslCrl] : []),
    ...(target.sslCrlDir ? filesIn(target, target.sslCrlDir) : []),
  ];
  if (paths.length === 0) {
    return {};
  }
  try {
    return { crl: paths.map((path) => readFileSync(path)) };
  } catch (error) {
    throw loginFailed(
      target,
      `cannot read the certificate revocation list (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check sslcrl and sslcrldir`,
    );
  }
}

function filesIn(target: UpstreamTarget, dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(dir, entry.name));
  } catch {
    throw loginFailed(target, `cannot read the directory sslcrldir=${dir}`);
  }
}

/**
 * Resolves once the TLS handshake is done. Its error listener stays, quiet once the handshake is
 * over: an error during the login that follows must not be thrown as an unhandled 'error' (the
 * login hears the close that follows it; the session's watch names it afterwards).
 */
function handshake(tls: TLSSocket, target: UpstreamTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (error?: UpstreamError): void => {
      if (done) {
        return;
      }
      done = true;
      tls.off('secureConnect', onConnect);
      tls.off('close', onClose);
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    };
    const onConnect = (): void => settle();
    const onError = (error: Error): void =>
      settle(loginFailed(target, `the TLS handshake failed (${error.message})`));
    const onClose = (): void =>
      settle(loginFailed(target, 'the server closed the connection during the TLS handshake'));
    tls.on('secureConnect', onConnect);
    tls.on('error', onError);
    tls.on('close', onClose);
  });
}

/** Node's X509 verification codes (OpenSSL's X509_V_ERR_*) grouped as a user fixes them. */
function chainProblem(
  code: string,
  certificate: PeerCertificate,
  trust: Trust,
): { problem: CertificateProblem; detail: string } {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return { problem: 'expired', detail: `valid until ${certificate.valid_to}` };
    case 'CERT_NOT_YET_VALID':
      return { problem: 'not-yet-valid', detail: `valid from ${certificate.valid_from}` };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return { problem: 'unknown-ca', detail: `${trust.against}: ${code}` };
    case 'CERT_REVOKED':
      return {
        problem: 'other',
        detail: `${code}: the certificate revocation list (sslcrl, sslcrldir) revokes it`,
      };
    default:
      return { problem: 'other', detail: code };
  }
}

function rejected(
  target: UpstreamTarget,
  { problem, detail }: { problem: CertificateProblem; detail: string },
): UpstreamError {
  return new UpstreamError({
    kind: 'certificate-rejected',
    problem,
    detail,
    by: target.by,
    address: addressOf(target),
  });
}

/** The one-byte answer to an SSLRequest. */
function readAnswer(socket: Socket, target: UpstreamTarget): Promise<number> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      cleanup();
      // More than one byte here would be bytes injected before the TLS handshake (CVE-2021-23222).
      if (chunk.length !== 1) {
        reject(loginFailed(target, 'the server answered the SSLRequest with unexpected bytes'));
      } else {
        resolve(chunk[0]!);
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(loginFailed(target, 'the server closed the connection during the TLS negotiation'));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}
