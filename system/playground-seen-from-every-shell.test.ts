import { describe, expect, it } from 'vitest';
import { createTestCore, newConfigDir } from '../main/testing/app-core.js';
import { run } from '../main/testing/child-process.js';
import { CLI_PATH, startCli } from '../main/testing/cli.js';
import { psql } from '../main/testing/psql.js';
import { until } from '../main/testing/until.js';

/** No Secret Service: the playground needs none, whichever shell runs it. */
const NO_SESSION_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
/** A first start runs initdb; the machine is shared and slow. */
const START_MS = 90_000;

describe('one playground per config directory, seen from every shell', () => {
  it("the window's core shows the playground `pg-tunnel playground` runs as running, on its port, run by that process; starting it there, or a second CLI, names the port", async () => {
    const configDir = await newConfigDir();
    const cli = startCli(['playground', '--config-dir', configDir], NO_SESSION_BUS);
    const { core } = await createTestCore(configDir);
    try {
      const [, port] = await cli.waitFor(/port:\s+(\d+)/, START_MS);
      const runner = `pg-tunnel playground (pid ${cli.child.pid})`;
      const id = core.snapshot().profiles.find((p) => p.kind === 'playground')!.id;
      const seen = await until(() => {
        const state = core.snapshot().tunnels[id];
        return state?.runBy ? state : undefined;
      }, 'the core to see the CLI playground');
      expect(seen).toMatchObject({
        status: 'listening',
        host: '127.0.0.1',
        port: Number(port),
        runBy: runner,
      });
      expect((await psql('127.0.0.1', Number(port), ['-c', 'select 1'])).stdout).toBe('1\n');

      // Starting it from the window leaves it to that process; a second CLI says where it runs.
      expect(await core.commands.startTunnel(id)).toMatchObject({
        status: 'listening',
        port: Number(port),
        runBy: runner,
      });
      const alreadyRunning = `The playground is already running, in ${runner} on 127.0.0.1:${port}: connect there, or stop it and start it here.`;
      const second = await run(
        process.execPath,
        [CLI_PATH, 'playground', '--config-dir', configDir],
        NO_SESSION_BUS,
      );
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(alreadyRunning);

      // Stopped there, the window shows it stopped, and can start it itself.
      expect(await cli.stop('SIGINT')).toBe(0);
      await until(
        () => (core.snapshot().tunnels[id]?.status === 'stopped' ? true : undefined),
        'the core to see the playground stopped',
      );
      expect(core.snapshot().tunnels[id]?.runBy).toBeUndefined();
      const own = await core.commands.startTunnel(id);
      expect(own).toMatchObject({ status: 'listening', port: Number(port) });
      expect(own.runBy).toBeUndefined();

      // And now the CLI names this process and the port.
      const third = await run(
        process.execPath,
        [CLI_PATH, 'playground', '--config-dir', configDir],
        NO_SESSION_BUS,
      );
      expect(third.code).toBe(1);
      expect(third.stderr.trim()).toBe(
        `The playground is already running, in PG Tunnel (pid ${process.pid}) on 127.0.0.1:${port}: connect there, or stop it and start it here.`,
      );
    } finally {
      await cli.stop();
      await core.dispose();
    }
  }, 300_000);
});
