import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { savedProfile } from '../main/testing/app-core.js';
import { openPsqlSession } from './fixtures/psql-session.js';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test.js';
import { copyUrl, tunnelStatus } from './fixtures/window.js';

// A machine with no Secret Service (a server, a container, WSL): the session bus leads nowhere.
test.use({
  uiOptions: {
    env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    profiles: [
      savedProfile('saved-playground'),
      savedProfile('saved-remote', {
        name: 'Staging',
        kind: 'tunnel',
        gatewayUrl: 'wss://gateway.example/websocket',
      }),
    ],
  },
});

const PRODUCTION_KEY = 'a-key-of-the-production-database';

/** Fills in the add form for a tunnel "Production" with a key, and presses "Add tunnel". */
async function addProductionTunnel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Production');
  await page.getByLabel('API key or DATABASE_URL', { exact: true }).fill(PRODUCTION_KEY);
  await page.getByRole('button', { name: 'Add tunnel' }).click();
}

test('without a keychain the window opens and the playground runs; a tunnel that needs the keychain says so', async ({
  app: page,
}) => {
  const staging = page.getByRole('listitem').filter({ hasText: 'Staging' });
  await page.getByRole('switch', { name: 'Run Staging' }).click();
  await expect(staging.getByRole('alert')).toContainText(
    /^No OS keychain is available because there is no D-Bus session bus/,
  );

  await page.getByRole('switch', { name: 'Run Local playground' }).click();
  await page.getByRole('button', { name: 'Local playground' }).click();
  await expect(tunnelStatus(page)).toContainText('Listening', { timeout: 120_000 });
  const psql = await openPsqlSession(await copyUrl(page));
  try {
    await expect(page.getByRole('row').filter({ hasText: 'psql' })).toBeVisible();
  } finally {
    psql.child.stdin!.end();
    await psql.stop();
  }
  await page.getByRole('button', { name: 'Back' }).click();

  // Adding a tunnel would save its key in the keychain: the form says why it cannot.
  await addProductionTunnel(page);
  await expect(
    page.getByRole('alert').filter({ hasText: /^No OS keychain is available/ }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'Production' })).toHaveCount(0);
});

test('without a keychain, the form offers the owner-only file, with its warning, and one click keeps the key there', async ({
  app: page,
  ui,
}) => {
  await addProductionTunnel(page);
  await expect(page.getByText(/in a file only your user can read .*not encrypted/)).toBeVisible();
  await page.getByRole('button', { name: 'Keep it in a file instead' }).click();
  await expect(page.getByRole('heading', { name: 'Production', level: 1 })).toBeVisible();
  const file = await readFile(join(ui.configDir, 'secrets.json'), 'utf8');
  expect(file).toContain(PRODUCTION_KEY);
});
