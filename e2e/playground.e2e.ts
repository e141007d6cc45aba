import { openPsqlSession } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { copyUrl, tunnelStatus } from './fixtures/window.js';

test('first run: the playground ends with a psql session in the table', async ({ app: page }) => {
  await expect(page.getByRole('heading', { name: 'Welcome to PG Tunnel' })).toBeVisible();
  await page.getByRole('button', { name: 'Try the local playground' }).click();
  await expect(page.getByRole('heading', { name: 'Local playground', level: 1 })).toBeVisible();
  // The first start creates the playground's database (initdb): allow for it.
  await expect(tunnelStatus(page)).toContainText('Listening', { timeout: 120_000 });

  const url = await copyUrl(page);
  const psql = await openPsqlSession(url);
  try {
    const row = page.getByRole('row').filter({ hasText: 'psql' });
    await expect(row).toBeVisible({ timeout: 2_000 });
    await expect(row).toContainText('Idle');
  } finally {
    psql.child.stdin!.end();
    await psql.stop();
  }
});
