import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from './fixtures/test.js';

test('a window whose pg-tunnel ui went away says so, and comes back by itself after a restart: the URL is kept', async ({
  app: page,
  ui,
}) => {
  await expect(page.getByRole('heading', { name: 'PG Tunnel', level: 1 })).toBeVisible();
  const banner = page.getByRole('status').filter({ hasText: /PG Tunnel/ });
  await expect(banner).toBeHidden();
  const before = ui.url;

  // Stopped: the window keeps what it showed and says it is reconnecting. Restarted, pg-tunnel ui
  // serves the same port and token (kept in the config directory): the window is back, and the
  // URL it printed is the one bookmarked.
  await ui.process.stop();
  await expect(banner).toContainText('Reconnecting to PG Tunnel…');
  await expect(banner).toContainText('If you restarted pg-tunnel ui, open the URL it printed.');
  await ui.restart();
  expect(ui.url).toBe(before);
  await expect(banner).toBeHidden({ timeout: 10_000 });
  await expect(page.getByRole('heading', { name: 'PG Tunnel', level: 1 })).toBeVisible();
});

test('a restart with a new token (its kept address removed) says which URL opens the window', async ({
  app: page,
  ui,
}) => {
  await expect(page.getByRole('heading', { name: 'PG Tunnel', level: 1 })).toBeVisible();
  const banner = page.getByRole('status').filter({ hasText: /PG Tunnel/ });
  await ui.process.stop();
  await expect(banner).toContainText('Reconnecting to PG Tunnel…');
  await rm(join(ui.configDir, 'ui.json'));
  await ui.restart();
  await expect(banner).toContainText(
    'PG Tunnel was restarted, and this window’s access ended with it. Open the URL that pg-tunnel ui printed.',
    { timeout: 10_000 },
  );

  // The URL the new process printed opens the window again.
  await page.goto(ui.url);
  await expect(page.getByRole('heading', { name: 'PG Tunnel', level: 1 })).toBeVisible();
  await expect(banner).toBeHidden();
});
