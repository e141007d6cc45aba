import { expect, test } from './fixtures/test.js';

test('a window whose pg-tunnel ui went away says so, and after a restart says which URL opens it', async ({
  app: page,
  ui,
}) => {
  await expect(page.getByRole('heading', { name: 'PG Tunnel', level: 1 })).toBeVisible();
  const banner = page.getByRole('status').filter({ hasText: /PG Tunnel/ });
  await expect(banner).toBeHidden();

  // Stopped: the window keeps what it showed and says it is reconnecting. Restarted with a new
  // token on the same port: the old window's cookie is refused, and retrying would never help.
  await ui.process.stop();
  await expect(banner).toContainText('Reconnecting to PG Tunnel…');
  await expect(banner).toContainText('If you restarted pg-tunnel ui, open the URL it printed.');
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
