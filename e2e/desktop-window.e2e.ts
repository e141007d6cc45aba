import { expect, test } from './fixtures/test.js';

/**
 * The window as `pg-tunnel ui` serves it to a browser, for what desktop users of a tray tunnel
 * expect: "Open in…" as a link to the tunnel's URL, Start all and Stop all, no settings that only
 * the tray app has, and lines of a readable length in a wide browser tab.
 */
test('"Open in…" shows the tunnel’s URL as a link the browser hands to a Postgres app', async ({
  app: page,
  ui,
  gateway,
}) => {
  const staging = await ui.rpc('addProfile', {
    name: 'Staging',
    gatewayUrl: gateway.wsUrl,
    apiKey: gateway.keys.valid,
  });
  const { port } = await ui.rpc('startTunnel', staging.id);
  await page.getByRole('button', { name: 'Staging', exact: true }).click();
  const link = page.getByRole('link', { name: /^postgresql:\/\// });
  await expect(link).toHaveAttribute(
    'href',
    new RegExp(`^postgresql://[^@]+@127\\.0\\.0\\.1:${port}/`),
  );
  await expect(link).toHaveText((await link.getAttribute('href'))!);
});

test('Start all and Stop all start and stop every tunnel', async ({ app: page, ui, gateway }) => {
  for (const name of ['Staging', 'Production']) {
    await ui.rpc('addProfile', { name, gatewayUrl: gateway.wsUrl, apiKey: gateway.keys.valid });
  }
  const cards = page.getByRole('list', { name: 'Tunnels' }).getByRole('listitem');
  await expect(cards).toHaveCount(2);
  await page.getByRole('button', { name: 'Start all' }).click();
  await expect(cards.filter({ hasText: 'Listening' })).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Start all' })).toBeDisabled();
  await page.getByRole('button', { name: 'Stop all' }).click();
  await expect(cards.filter({ hasText: 'Stopped' })).toHaveCount(2);
});

test('the browser window has no settings only the tray app has', async ({ app: page }) => {
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('switch', { name: 'Start tunnels automatically' })).toBeVisible();
  await expect(page.getByRole('switch', { name: 'Start at login' })).toHaveCount(0);
  await expect(page.getByRole('switch', { name: 'Start hidden' })).toHaveCount(0);
});

test('in a 1280 px wide browser tab, the window keeps a readable width, centred', async ({
  app: page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const box = (await page.locator('.app').boundingBox())!;
  expect(box.width).toBeLessThanOrEqual(720);
  expect(Math.abs(box.x - (1280 - box.width - box.x))).toBeLessThanOrEqual(1); // centred
});
