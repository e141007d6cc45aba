import { expect, test } from './fixtures/test.js';
import { screenshotBothSchemes } from './fixtures/screenshots.js';
import { tunnelStatus } from './fixtures/window.js';

test('keyboard only: reach a tunnel, start it, open it, copy its URL, come back', async ({
  app: page,
  ui,
  gateway,
}, testInfo) => {
  await ui.rpc('addProfile', {
    name: 'Keys',
    gatewayUrl: gateway.wsUrl,
    apiKey: gateway.keys.valid,
  });
  const card = page.getByRole('listitem').filter({ hasText: 'Keys' });
  await expect(card).toBeVisible();

  // Header buttons first (Add, Settings), then the card's name, then its switch.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Add a tunnel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Settings' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(card.getByRole('button', { name: 'Keys' })).toBeFocused();
  await screenshotBothSchemes(page, testInfo, '11-keyboard-focus');
  await page.keyboard.press('Tab');
  const toggle = card.getByRole('switch', { name: 'Run Keys' });
  await expect(toggle).toBeFocused();
  await page.keyboard.press('Space');
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await expect(card).toContainText('Listening');

  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Keys', level: 1 })).toBeFocused();
  await expect(tunnelStatus(page)).toContainText('Listening');
  const copy = page.getByRole('button', { name: 'Copy URL', exact: true });
  await page.keyboard.press('Tab'); // the switch in the header
  await page.keyboard.press('Tab');
  await expect(copy).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(copy).toContainText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^postgresql:\/\//);

  await page.keyboard.press('Escape');
  await expect(page.getByRole('heading', { name: 'Tunnels', level: 1 })).toBeFocused();
});
