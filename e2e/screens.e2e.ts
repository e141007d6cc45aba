import { expect, test } from './fixtures/test.js';
import { openPsqlSession, runPsql } from './fixtures/psql-session.js';
import { screenshotBothSchemes } from './fixtures/screenshots.js';
import { pasteInto } from './fixtures/window.js';

/**
 * Every screen, light and dark, at the tray window's size, with the states a person meets: a
 * listening tunnel with a session, a rejected key, a port in use, a long name. The pictures go to
 * test-results/screenshots/ to be looked at; the test checks nothing spills past 380 px.
 */
test('every screen, in light and dark, fits the tray window', async ({
  app: page,
  ui,
  gateway,
}, testInfo) => {
  await expect(page.getByRole('button', { name: 'Try the local playground' })).toBeVisible();
  await screenshotBothSchemes(page, testInfo, '01-first-run');

  const staging = await ui.rpc('addProfile', {
    name: 'Staging',
    gatewayUrl: gateway.wsUrl,
    apiKey: gateway.keys.valid,
  });
  await ui.rpc('addProfile', {
    name: 'Analytics warehouse (read-only replica in eu-central-1, reporting team)',
    gatewayUrl: gateway.wsUrl,
    apiKey: gateway.keys.valid,
  });
  const wrongKey = await ui.rpc('addProfile', {
    name: 'Wrong key',
    gatewayUrl: gateway.wsUrl,
    apiKey: 'a-key-the-gateway-never-saw',
  });
  // The gateway's own port is taken for sure.
  const busy = await ui.rpc('addProfile', {
    name: 'Busy port',
    gatewayUrl: gateway.wsUrl,
    apiKey: gateway.keys.valid,
    portMode: 'fixed',
    port: Number(new URL(gateway.wsUrl).port),
  });
  const listening = await ui.rpc('startTunnel', staging.id);
  const rejected = await ui.rpc('startTunnel', wrongKey.id);
  await ui.rpc('startTunnel', busy.id);
  await runPsql(
    `postgresql://postgres@127.0.0.1:${rejected.port}/postgres?sslmode=disable`,
    'select 1',
  );
  const session = await openPsqlSession(
    `postgresql://postgres@127.0.0.1:${listening.port}/postgres?sslmode=disable`,
  );
  try {
    const cards = page.getByRole('list', { name: 'Tunnels' }).getByRole('listitem');
    await expect(cards).toHaveCount(4);
    await expect(cards.filter({ hasText: 'Wrong key' })).toContainText('API key is invalid');
    await expect(cards.filter({ hasText: 'Staging' })).toContainText('1 session');
    await screenshotBothSchemes(page, testInfo, '02-tunnels');

    await page.getByRole('button', { name: 'Staging', exact: true }).click();
    await expect(page.getByRole('row').filter({ hasText: 'psql' })).toBeVisible();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByText(/^Connected:/)).toBeVisible();
    await page.getByText('JDBC, environment and pg_service.conf').click();
    // TLS is on by default: its verifying presets and the CA's long path must fit too.
    await page.getByText('TLS, verified with the local CA (verify-full)').click();
    await screenshotBothSchemes(page, testInfo, '03-tunnel-detail');

    await page.getByRole('button', { name: 'Edit' }).click();
    await expect(page.getByRole('heading', { name: 'Edit Staging' })).toBeVisible();
    await screenshotBothSchemes(page, testInfo, '04-edit-profile');

    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: /^Analytics warehouse/ }).click();
    await expect(page.getByText('Start the tunnel to get its port')).toBeVisible();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await expect(page.getByText(/^Delete “Analytics warehouse/)).toBeVisible();
    await screenshotBothSchemes(page, testInfo, '05-tunnel-detail-stopped');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Add a tunnel' }).click();
    await expect(page.getByRole('heading', { name: 'Add a tunnel' })).toBeVisible();
    await screenshotBothSchemes(page, testInfo, '06-add-profile');

    await page.getByText('Advanced').click();
    await page.getByLabel('Listen on host').fill('0.0.0.0');
    await page.getByLabel('Fixed').check();
    await page.getByRole('button', { name: 'Add tunnel' }).click();
    await expect(page.getByText('Give the tunnel a name.')).toBeVisible();
    await expect(page.getByText(/^Anyone who can reach 0\.0\.0\.0/)).toBeVisible();
    await screenshotBothSchemes(page, testInfo, '07-add-profile-errors');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Wrong key' })
      .getByRole('button', { name: 'Edit the key' })
      .click();
    await expect(page.getByLabel('API key or DATABASE_URL')).toBeFocused();
    await screenshotBothSchemes(page, testInfo, '08-fix-key');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await screenshotBothSchemes(page, testInfo, '09-settings');

    await page.getByRole('button', { name: 'Back' }).click();
    await ui.stop(); // deletes the profiles (and their keys), then ends the process
    await expect(page.getByText('Reconnecting to PG Tunnel…')).toBeVisible();
    await screenshotBothSchemes(page, testInfo, '10-reconnecting');
  } finally {
    session.child.stdin!.end();
    await session.stop();
  }
});

test("a direct profile's form and detail, in light and dark, fit the tray window", async ({
  app: page,
}, testInfo) => {
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Shop (direct)');
  await pasteInto(
    page,
    'API key or DATABASE_URL',
    'postgres://shop_owner:secret@db.example.com:5432/shop?sslmode=require&schema=public',
  );
  await expect(page.getByText(/^The connection to db\.example\.com is encrypted/)).toBeVisible();
  await expect(page.getByText(/^Ignored from the URL: schema/)).toBeVisible();
  await screenshotBothSchemes(page, testInfo, '11-add-direct-profile');

  await page.getByRole('button', { name: 'Add tunnel' }).click();
  await expect(page.getByRole('heading', { name: 'Shop (direct)', level: 1 })).toBeVisible();
  await expect(page.getByText(/^Logs in to shop_owner@db\.example\.com:5432\/shop/)).toBeVisible();
  await screenshotBothSchemes(page, testInfo, '12-direct-profile-detail');
});
