import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startUiServer, type UiServer } from '../../e2e/fixtures/ui-server.js';
import { startCaptureServer, type CaptureServer } from '../testing/capture-server.js';
import { startGatewayProcess, type RunningGateway } from '../testing/gateway.js';
import { until } from '../testing/until.js';

const postgres = inject('postgres');

/** Long enough for a tunnel's warm dial to have reached the capture server, had it been made. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a saved secret goes only to the destination it was saved for', () => {
  let gateway: RunningGateway;
  let capture: CaptureServer;
  let ui: UiServer;
  beforeAll(async () => {
    gateway = await startGatewayProcess(postgres);
    capture = await startCaptureServer();
    ui = await startUiServer();
  });
  afterAll(async () => {
    await ui?.stop();
    await capture?.close();
    await gateway?.process.stop();
  });

  it('a changed gateway URL: no dial until the user confirms the new one, then the key goes there', async () => {
    const profile = await ui.rpc('addProfile', {
      name: 'Moved',
      gatewayUrl: gateway.wsUrl,
      apiKey: gateway.keys.valid,
      tls: false,
    });
    expect((await ui.rpc('startTunnel', profile.id)).status).toBe('listening');
    await ui.rpc('updateProfile', profile.id, { name: 'Moved', gatewayUrl: capture.wsUrl });
    const state = await ui.rpc('startTunnel', profile.id);
    expect(state.status).toBe('error');
    expect(state.problem).toEqual({
      message: `The saved API key of “Moved” was saved for ${gateway.wsUrl}, and the gateway is now ${capture.wsUrl}: PG Tunnel does not send it there until you enter it again or confirm that it goes to ${capture.wsUrl}.`,
      fix: 'confirm-destination',
      destination: capture.wsUrl,
    });
    await sleep(1_000);
    expect(capture.connections).toBe(0);

    expect((await ui.rpc('confirmSecretDestination', profile.id)).status).toBe('listening');
    await until(
      () => (capture.received().includes(`Bearer ${gateway.keys.valid}`) ? true : undefined),
      'the key sent to the confirmed gateway',
    );
    // Confirmed once, it stays confirmed.
    await ui.rpc('stopTunnel', profile.id);
    expect((await ui.rpc('startTunnel', profile.id)).status).toBe('listening');
    await ui.rpc('deleteProfile', profile.id);
  });

  it('a changed database host or port: the direct profile starts only once the password is entered again', async () => {
    const upstream = {
      host: postgres.host,
      port: postgres.port,
      database: postgres.database,
      user: postgres.user,
      sslmode: 'disable' as const,
      sslrootcert: null,
      channelBinding: 'prefer' as const,
    };
    const profile = await ui.rpc('addProfile', {
      name: 'Direct',
      kind: 'direct',
      upstream,
      password: postgres.password,
      tls: false,
    });
    expect((await ui.rpc('startTunnel', profile.id)).status).toBe('listening');
    await ui.rpc('stopTunnel', profile.id);
    const connectionsBefore = capture.connections;
    const moved = { ...upstream, host: '127.0.0.1', port: capture.port };
    await ui.rpc('updateProfile', profile.id, { name: 'Direct', upstream: moved });
    const state = await ui.rpc('startTunnel', profile.id);
    expect(state.problem).toMatchObject({
      fix: 'confirm-destination',
      destination: `127.0.0.1:${capture.port}`,
    });
    expect(state.status).toBe('error');
    expect(capture.connections).toBe(connectionsBefore);

    await ui.rpc('updateProfile', profile.id, {
      name: 'Direct',
      upstream: moved,
      password: 'entered-again',
    });
    expect((await ui.rpc('startTunnel', profile.id)).status).toBe('listening');
    // A started direct tunnel connects once to its database's port (no login, no password) so
    // that a host that refuses is said before any client; the password goes only with a login.
    expect(capture.received()).not.toContain('entered-again');
    await ui.rpc('deleteProfile', profile.id);
  });
});
