import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onLoopback, runLoadBalancer, type RunningLoadBalancer } from './load-balancer.js';
import type { TestCertificate } from './tls.js';

/**
 * The program, where Debian's package puts it: /usr/sbin is not on a normal user's PATH.
 * scripts/test-packages.txt checks for the same file before the tests run.
 */
export const HAPROXY_PROGRAM = '/usr/sbin/haproxy';

/** The HAProxy configuration operators deploy: the tests run this file, not a copy of it. */
export const HAPROXY_CONFIG_PATH = fileURLToPath(
  new URL('../../deploy/haproxy.cfg', import.meta.url),
);

const CERTIFICATE_PATH = '/etc/haproxy/certs/pg-tunnel.pem';
const BIND = /^(\s*bind )\S+/m;
const SERVER = /^(\s*server \S+ )\S+/gm;

/**
 * deploy/haproxy.cfg with only what a test must change: the certificate (a PEM with the key),
 * and, when given, the listening address and the gateways' ports, all on loopback. Throws if the
 * file no longer has the lines it replaces, so that a changed file cannot go untested.
 */
export function haproxyConfigFor(
  text: string,
  certificatePem: string,
  addresses?: { listenPort: number; gatewayPorts: number[] },
): string {
  if (!text.includes(CERTIFICATE_PATH) || !BIND.test(text)) {
    throw new Error(`deploy/haproxy.cfg no longer binds with the certificate ${CERTIFICATE_PATH}`);
  }
  const config = text.replaceAll(CERTIFICATE_PATH, certificatePem);
  return addresses
    ? onLoopback(
        config,
        'deploy/haproxy.cfg',
        { listen: BIND, listenSuffix: '', server: SERVER },
        addresses,
      )
    : config;
}

/** Writes `config` to a file of its own and returns its path. */
export async function writeHaproxyConfig(config: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'pg-tunnel-haproxy-')), 'haproxy.cfg');
  await writeFile(path, config);
  return path;
}

/** The certificate and its key in one file, as HAProxy's `crt` wants them; returns its path. */
export async function haproxyPem(certificate: TestCertificate): Promise<string> {
  const path = join(dirname(certificate.certPath), 'haproxy.pem');
  const [cert, key] = await Promise.all([
    readFile(certificate.certPath, 'utf8'),
    readFile(certificate.keyPath, 'utf8'),
  ]);
  await writeFile(path, cert + key);
  return path;
}

/** Runs HAProxy in the foreground with deploy/haproxy.cfg in front of the gateways on `gatewayPorts`. */
export function startHaproxy(
  certificate: TestCertificate,
  gatewayPorts: number[],
): Promise<RunningLoadBalancer> {
  return runLoadBalancer(HAPROXY_PROGRAM, async (listenPort) => {
    const config = haproxyConfigFor(
      await readFile(HAPROXY_CONFIG_PATH, 'utf8'),
      await haproxyPem(certificate),
      { listenPort, gatewayPorts },
    );
    return ['-db', '-f', await writeHaproxyConfig(config)];
  });
}
