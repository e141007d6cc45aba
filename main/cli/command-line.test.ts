import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { run } from '../testing/child-process.js';
import { CLI_PATH } from '../testing/cli.js';

/** The built CLI, with no route in its environment and a config directory nobody uses. */
const runCli = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
  run(
    process.execPath,
    [CLI_PATH, ...args],
    { PDP_API_KEY: undefined, DATABASE_URL: undefined, XDG_CONFIG_HOME: tmpdir(), ...env },
    { timeoutMs: 20_000, input },
  );

const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const hashOf = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;

describe('every command refuses a malformed command line with one sentence pointing at its --help', () => {
  const cases: Array<[string[], string]> = [
    [['--bogus'], 'Unknown option --bogus: see pg-tunnel --help.'],
    [
      ['-p', '-5'],
      '--port needs a value, not another option (write a value that starts with "-" as --port=VALUE): see pg-tunnel --help.',
    ],
    [
      ['--url', '--help'],
      '--url needs a value, not another option (write a value that starts with "-" as --url=VALUE): see pg-tunnel --help.',
    ],
    [['--port'], '--port needs a value: see pg-tunnel --help.'],
    [['--verbose=yes'], '--verbose takes no value: see pg-tunnel --help.'],
    [['stray'], 'Unexpected argument "stray": see pg-tunnel --help.'],
    [['gateway', '--bogus'], 'Unknown option --bogus: see pg-tunnel gateway --help.'],
    [['gateway', '--config'], '--config needs a value: see pg-tunnel gateway --help.'],
    [['gateway', 'serve'], 'Unexpected argument "serve": see pg-tunnel gateway --help.'],
    [['gateway', 'hash-key', '-x'], 'Unknown option -x: see pg-tunnel gateway hash-key --help.'],
    [
      ['gateway', 'hash-key', 'a', 'b'],
      'Unexpected argument "b": see pg-tunnel gateway hash-key --help.',
    ],
    [['playground', '--prot', '5'], 'Unknown option --prot: see pg-tunnel playground --help.'],
    [
      ['playground', '--port', '--host'],
      '--port needs a value, not another option (write a value that starts with "-" as --port=VALUE): see pg-tunnel playground --help.',
    ],
    [['ui', 'now'], 'Unexpected argument "now": see pg-tunnel ui --help.'],
  ];
  for (const [args, sentence] of cases) {
    it(`pg-tunnel ${args.join(' ')}`, async () => {
      const result = await runCli(args);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(sentence);
      expect(result.stdout).toBe('');
    });
  }
});

describe('pg-tunnel gateway hash-key', () => {
  it('--help prints its help, not the hash of "--help"', async () => {
    const result = await runCli(['gateway', 'hash-key', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: pg-tunnel gateway hash-key \[KEY \| -\]/);
    expect(result.stdout).not.toContain(hashOf('--help'));
  });

  it('hashes its one argument, a key after --, and the key on standard input for -', async () => {
    expect((await runCli(['gateway', 'hash-key', 'abc'])).stdout).toBe(`${hashOf('abc')}\n`);
    expect((await runCli(['gateway', 'hash-key', '--', '-k'])).stdout).toBe(`${hashOf('-k')}\n`);
    expect((await runCli(['gateway', 'hash-key', '-'], 'abc\n')).stdout).toBe(`${hashOf('abc')}\n`);
  });
});

describe('a URL in an error sentence', () => {
  it('never carries the password or query the user put in it', async () => {
    const result = await runCli([], undefined, {
      PDP_API_KEY: 'test-api-key-0123456789',
      PPG_WS_URL: 'http://u:secretpw@gateway.example.test/ws?api_key=other-secret',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'The gateway URL must start with wss:// or ws:// (got http://gateway.example.test/ws).',
    );
  });
});

describe('what a newcomer types first', () => {
  it('--version prints the version of package.json', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `pg-tunnel ${packageJson.version}\n` });
  });

  it('gateway --help and ui --help list each option with its default', async () => {
    const gateway = await runCli(['gateway', '--help']);
    expect(gateway.code).toBe(0);
    expect(gateway.stdout).toMatch(
      /-h, --host HOST .*\(default: the config's listen\.host, else\s+127\.0\.0\.1\)/s,
    );
    expect(gateway.stdout).toContain(
      "-p, --port PORT              port to listen on (default: the config's listen.port, else 8080)",
    );
    expect(gateway.stdout).toContain('(default 30)');
    const ui = await runCli(['ui', '--help']);
    expect(ui.code).toBe(0);
    expect(ui.stdout).toMatch(
      /-p, --port PORT .*\(default: the one of the last\s+start, else a free one/s,
    );
    expect(ui.stdout).toMatch(/--config-dir DIR .*\(default \//);
    expect(ui.stdout).toContain('Stop it with Ctrl+C');
  });

  it('gateway -h is --host, as in pg-tunnel', async () => {
    const result = await runCli([
      'gateway',
      '-h',
      '127.0.0.1',
      '--config',
      '/nonexistent/gateway.json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('Unknown option');
    expect(result.stderr).toContain('/nonexistent/gateway.json');
  });

  it('a mistyped gateway URL is echoed, so the typo shows', async () => {
    const result = await runCli(['--gateway', 'ws//localhost:8080/websocket'], undefined, {
      PDP_API_KEY: 'test-api-key-0123456789',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'The gateway URL must start with wss:// or ws:// (got "ws//localhost:8080/websocket").',
    );
  });
});
