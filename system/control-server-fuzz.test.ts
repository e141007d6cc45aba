import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startUiServer, type UiServer } from '../e2e/fixtures/ui-server.js';
import { fuzzConnections, httpRequests } from '../main/testing/fuzz.js';
import { startGatewayProcess, type RunningGateway } from '../main/testing/gateway.js';
import { openSession } from '../main/testing/pg-client.js';

const postgres = inject('postgres');

/** Commands generated requests may call: none starts a server or dials out. */
const FUZZED_COMMANDS = ['getSnapshot', 'getLog', 'getLocalCa', 'deleteProfile', 'killSession'];

describe('pg-tunnel ui under generated HTTP, RPC and event-socket requests', () => {
  let gateway: RunningGateway;
  let ui: UiServer;
  beforeAll(async () => {
    gateway = await startGatewayProcess(postgres);
    ui = await startUiServer();
  });
  afterAll(async () => {
    await ui?.stop();
    await gateway?.process.stop();
  });

  it('stays up, its tunnel goes on serving, and its commands still answer', async () => {
    const profile = await ui.rpc('addProfile', {
      name: 'Fuzzed',
      gatewayUrl: gateway.wsUrl,
      apiKey: gateway.keys.valid,
      tls: false,
    });
    const { port } = await ui.rpc('startTunnel', profile.id);
    const session = await openSession('127.0.0.1', port!, 'fuzz-ui');
    const token = new URL(ui.url).searchParams.get('token')!;
    const host = `127.0.0.1:${ui.port}`;
    const requests = httpRequests({
      paths: [
        '/',
        '/index.html',
        '/events',
        `/?token=${token}`,
        ...FUZZED_COMMANDS.map((c) => `/rpc/${c}`),
      ],
      headers: {
        host: [host],
        origin: [`http://${host}`],
        authorization: [`Bearer ${token}`],
        cookie: [`pg_tunnel_token=${token}`],
        'content-type': ['application/json'],
      },
    });
    await fuzzConnections('pg-tunnel ui http', ui.port, ui.process, requests);
    expect(ui.process.child.exitCode).toBeNull();
    expect((await ui.rpc('getSnapshot')).profiles.map((p) => p.name)).toEqual(['Fuzzed']);
    expect(await session.value('select 41 + 1')).toBe('42');
    await session.client.end();
  });
});
