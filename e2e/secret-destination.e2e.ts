import { startCaptureServer } from '../main/testing/capture-server.js';
import { until } from '../main/testing/until.js';
import { expect, test } from './fixtures/test.js';
import { tunnelStatus } from './fixtures/window.js';

test('after the gateway URL is changed in the window, the saved key goes nowhere until the user sends it to the new one', async ({
  app: page,
  ui,
  gateway,
}) => {
  const capture = await startCaptureServer();
  try {
    const profile = await ui.rpc('addProfile', {
      name: 'Moved',
      gatewayUrl: gateway.wsUrl,
      apiKey: gateway.keys.valid,
    });
    expect((await ui.rpc('startTunnel', profile.id)).status).toBe('listening');
    await ui.rpc('stopTunnel', profile.id);

    await page.getByRole('button', { name: 'Moved', exact: true }).click();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByText('Advanced', { exact: true }).click();
    await page.getByLabel('Gateway URL').fill(capture.wsUrl);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { name: 'Moved', level: 1 })).toBeVisible();

    await page.getByRole('switch', { name: 'Run Moved' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'was saved for' });
    await expect(alert).toContainText(
      `The saved API key of “Moved” was saved for ${gateway.wsUrl}, and the gateway is now ${capture.wsUrl}`,
    );
    await expect(alert.getByRole('button', { name: 'Enter the key again' })).toBeVisible();
    expect(capture.connections).toBe(0);

    await alert.getByRole('button', { name: `Send my saved key to ${capture.wsUrl}` }).click();
    await expect(tunnelStatus(page)).toContainText('Listening');
    await until(
      () => (capture.received().includes(`Bearer ${gateway.keys.valid}`) ? true : undefined),
      'the key sent to the gateway the user confirmed',
    );
  } finally {
    await capture.close();
  }
});
