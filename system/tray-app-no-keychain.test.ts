import { afterAll, describe, expect, it } from 'vitest';
import { newConfigDir, saveProfiles, savedProfile } from '../main/testing/app-core.js';
import { launchTestTrayApp, type TestTrayApp } from '../main/testing/tray-app.js';
import { until } from '../main/testing/until.js';

// A login session whose keychain cannot be reached (Secret Service not up yet at early autostart,
// sway without one): here, a session bus that leads nowhere, for this whole file.
process.env['DBUS_SESSION_BUS_ADDRESS'] = 'unix:path=/nonexistent/bus';

let app: TestTrayApp | undefined;

afterAll(async () => {
  await app?.quit();
});

describe('a keychain that cannot be used at launch', () => {
  it('does not stop the app: the core runs, and the tunnel that needs a key says what is missing', async () => {
    const configDir = await newConfigDir();
    await saveProfiles(configDir, [
      savedProfile('staging', {
        kind: 'tunnel',
        name: 'Staging',
        gatewayUrl: 'ws://127.0.0.1:9/websocket',
        autoStart: true,
      }),
    ]);
    app = await launchTestTrayApp({ platform: 'linux', argv: ['--hidden'], configDir });

    expect(app.shell.start.current.phase).toBe('running');
    const keychainSentence = /^No OS keychain is available because there is no D-Bus session bus/;
    const notification = await until(
      () => app!.fake.notifications.find((n) => n.title === 'Staging failed'),
      'the notification',
    );
    expect(notification.body).toMatch(keychainSentence);
    const snapshot = await app.run('getSnapshot');
    expect(snapshot.tunnels['staging']).toMatchObject({
      status: 'error',
      problem: { message: expect.stringMatching(keychainSentence) },
    });
    expect(app.tray.image.path).toMatch(/tray-error\.png$/);
  });
});
