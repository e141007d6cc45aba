import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_DRAIN_TIMEOUT_SECONDS } from '../main/cli/gateway-command.js';
import { longestDrainMs } from '../main/gateway/server.js';
import { hashApiKey } from '../main/gateway/keys.js';
import { RunningProcess, run } from '../main/testing/child-process.js';
import { startTunnelCli } from '../main/testing/cli.js';
import {
  buildWithoutRuntime,
  CONTAINERFILE_PATH,
  execForm,
  flagOf,
  REPOSITORY_ROOT,
  stagesOf,
} from '../main/testing/containerfile.js';
import { newApiKey, upstreamUrl } from '../main/testing/gateway.js';
import { openSession } from '../main/testing/pg-client.js';
import { freePort } from '../main/testing/ports.js';
import { psql } from '../main/testing/psql.js';

const text = await readFile(CONTAINERFILE_PATH, 'utf8');
const stages = stagesOf(text);
const runtime = stages.at(-1)!;
const instructions = (keyword: string) =>
  runtime.instructions.filter((instruction) => instruction.getKeyword() === keyword);
const argumentsOf = (keyword: string): string[] =>
  instructions(keyword)[0]
    ?.getArguments()
    .map((a) => a.getValue()) ?? [];

describe('deploy/Containerfile', () => {
  it('lints clean (dockerfile-utils, the linter of the Docker language server)', () => {
    const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });

  it('builds on a pinned Node 24 (LTS) image and runs as a user other than root', () => {
    expect(stages.length).toBeGreaterThan(1); // the build tools stay out of the image
    for (const stage of stages) {
      expect(stage.image).toMatch(/^node:24-[a-z]+-slim$/);
    }
    expect(instructions('USER')).toHaveLength(1);
    const [uid, gid] = argumentsOf('USER')[0]!.split(':').map(Number);
    expect(uid).toBeGreaterThan(0); // a number, so that Kubernetes' runAsNonRoot can check it
    expect(gid).toBeGreaterThan(0);
    const keywords = runtime.instructions.map((instruction) => instruction.getKeyword());
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('ENTRYPOINT'));
    // Files are COPYed as root: the user can read the gateway's code, not change it.
    expect(instructions('COPY').every((copy) => flagOf(copy, 'chown') === undefined)).toBe(true);
    expect(keywords).not.toContain('ADD');
    expect(keywords).not.toContain('VOLUME'); // mounts are the operator's, read-only
  });

  it('has a health check on /healthz and stops with SIGTERM, which drains', () => {
    const [healthcheck] = instructions('HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    expect(execForm(healthcheck!)).toEqual(['node', '/opt/pg-tunnel/healthcheck.mjs']);
    expect(flagOf(healthcheck!, 'interval')).toBe('10s');
    expect(argumentsOf('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(argumentsOf('EXPOSE')).toEqual(['8080', '9090']);
    expect(argumentsOf('ENV').join(' ')).not.toMatch(/PASSWORD|KEY|SECRET/i);
  });

  it('documents read-only mounts of the config and TLS files, and a stop timeout longer than the longest drain', () => {
    const command = [
      ...execForm(instructions('ENTRYPOINT')[0]!),
      ...execForm(instructions('CMD')[0]!),
    ];
    const configPath = command[command.indexOf('--config') + 1]!;
    expect(text).toContain(`-v ${configPath}:${configPath}:ro`);
    expect(text).toMatch(/-v \S+:\/etc\/pg-tunnel\/tls:ro/);
    const stopTimeout = Number(/--stop-timeout (\d+)/.exec(text)?.[1]);
    expect(stopTimeout * 1000).toBeGreaterThan(
      longestDrainMs(DEFAULT_DRAIN_TIMEOUT_SECONDS * 1000),
    );
  });

  it('builds (without a container runtime) an image that needs no node_modules, whose gateway serves tunnels as its user; the health check fails once it drains', async () => {
    const postgres = inject('postgres');
    const image = await buildWithoutRuntime(text, REPOSITORY_ROOT);
    const files = await readdir(image.root, { recursive: true });
    expect(files.filter((file) => file.includes('node_modules'))).toEqual([]);

    // The operator's read-only mount of the config.
    const apiKey = newApiKey();
    const command = image.command;
    const configPath = command[command.indexOf('--config') + 1]!;
    await mkdir(dirname(configPath), { recursive: true, mode: 0o755 });
    await writeFile(
      configPath,
      JSON.stringify({
        keys: [
          {
            id: 'image',
            keyHash: hashApiKey(apiKey),
            upstream: upstreamUrl(postgres),
            passwordEnv: 'IMAGE_DB_PASSWORD',
          },
        ],
      }),
      { mode: 0o444 },
    );
    const [uid, gid] = image.user!.split(':').map(Number);
    const port = await freePort();
    // Tests listen on loopback: the image's own --host 0.0.0.0 is overridden by a later flag.
    const gateway = new RunningProcess(
      spawn(command[0]!, [...command.slice(1), '--host', '127.0.0.1', '--port', String(port)], {
        uid,
        gid,
        cwd: join(image.root, 'opt/pg-tunnel'),
        env: { PATH: process.env['PATH'], ...image.env, IMAGE_DB_PASSWORD: postgres.password },
      }),
    );
    const tunnel = await (async () => {
      await gateway.waitFor(/"msg":"gateway listening"/);
      return startTunnelCli(`ws://127.0.0.1:${port}/websocket`, apiKey);
    })();
    const health = () =>
      run(image.healthcheck[0]!, image.healthcheck.slice(1), {
        PG_TUNNEL_HEALTH_URL: `http://127.0.0.1:${port}/healthz`,
      });
    try {
      expect((await psql(tunnel.host, tunnel.port, ['-c', 'select 21'])).stdout.trim()).toBe('21');
      expect((await health()).code).toBe(0);

      const session = await openSession(tunnel.host, tunnel.port, 'image-drain');
      gateway.child.kill('SIGTERM');
      await gateway.waitFor(/"msg":"gateway draining"/);
      const unhealthy = await health();
      expect(unhealthy.code).toBe(1);
      expect(unhealthy.stderr.trim()).toBe('pg-tunnel gateway health check: /healthz answered 503');
      gateway.child.kill('SIGTERM');
      expect(await session.lost).toMatchObject({ code: '57P01' });
      expect(await gateway.exited).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
      await tunnel.process.stop();
    }
  }, 120_000);
});
