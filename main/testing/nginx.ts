import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onLoopback, runLoadBalancer, type RunningLoadBalancer } from './load-balancer.js';
import type { TestCertificate } from './tls.js';

/**
 * The program, where Debian's package puts it: /usr/sbin is not on a normal user's PATH.
 * scripts/test-packages.txt checks for the same file before the tests run.
 */
export const NGINX_PROGRAM = '/usr/sbin/nginx';

/** The nginx configuration operators deploy: the tests run this file, not a copy of it. */
export const NGINX_CONFIG_PATH = fileURLToPath(new URL('../../deploy/nginx.conf', import.meta.url));

const CERTIFICATE_PATH = '/etc/nginx/certs/pg-tunnel.crt';
const KEY_PATH = '/etc/nginx/certs/pg-tunnel.key';
const LISTEN = /^(\s*listen )443 ssl;/m;
const SERVER = /^(\s*server )\S+:\d+/gm;

/**
 * deploy/nginx.conf with only what a test must change: the certificate and key, and, when given,
 * the listening address and the gateways' ports, all on loopback. Throws if the file no longer
 * has the lines it replaces, so that a changed file cannot go untested.
 */
export function nginxConfigFor(
  text: string,
  certificate: TestCertificate,
  addresses?: { listenPort: number; gatewayPorts: number[] },
): string {
  if (!text.includes(CERTIFICATE_PATH) || !text.includes(KEY_PATH) || !LISTEN.test(text)) {
    throw new Error('deploy/nginx.conf no longer listens on 443 with the certificate it names');
  }
  const config = text
    .replaceAll(CERTIFICATE_PATH, certificate.certPath)
    .replaceAll(KEY_PATH, certificate.keyPath);
  return addresses
    ? onLoopback(
        config,
        'deploy/nginx.conf',
        { listen: LISTEN, listenSuffix: ' ssl;', server: SERVER },
        addresses,
      )
    : config;
}

/**
 * nginx's main configuration around the deploy file, which belongs in an http block: what a
 * distribution's /etc/nginx/nginx.conf provides, with files in `dir` instead of system paths.
 * Returns its path.
 */
export async function writeNginxConfig(siteConfig: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-tunnel-nginx-'));
  await writeFile(join(dir, 'pg-tunnel.conf'), siteConfig);
  const main = join(dir, 'nginx.conf');
  await writeFile(
    main,
    `pid ${join(dir, 'nginx.pid')};\nerror_log stderr;\nevents {}\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${dir};\n  include ${join(dir, 'pg-tunnel.conf')};\n}\n`,
  );
  return main;
}

/** Runs nginx in the foreground with deploy/nginx.conf in front of the gateways on `gatewayPorts`. */
export function startNginx(
  certificate: TestCertificate,
  gatewayPorts: number[],
): Promise<RunningLoadBalancer> {
  return runLoadBalancer(NGINX_PROGRAM, async (listenPort) => {
    const config = nginxConfigFor(await readFile(NGINX_CONFIG_PATH, 'utf8'), certificate, {
      listenPort,
      gatewayPorts,
    });
    return ['-c', await writeNginxConfig(config), '-g', 'daemon off;'];
  });
}
