import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { savedProfile } from '../main/testing/app-core.js';
import { createPostgres15Database } from '../main/testing/postgres-15.js';
import { expect, test } from './fixtures/test.js';
import { screenshotBothSchemes } from './fixtures/screenshots.js';
import { tunnelStatus } from './fixtures/window.js';

// What an earlier version left: a playground profile, and its Postgres 15 database.
test.use({
  uiOptions: {
    profiles: [savedProfile('saved-playground')],
    prepare: async (configDir) => {
      await mkdir(join(configDir, 'playground'));
      await createPostgres15Database(
        join(configDir, 'playground', 'postgres'),
        'lost-with-its-keyring',
        'create table notes (body text)',
      );
    },
  },
});

test("the playground's card and screen say where the earlier database is kept and how to copy it over", async ({
  app: page,
  ui,
}, testInfo) => {
  const kept = `Your earlier playground database is kept, untouched, in ${join(ui.configDir, 'playground', 'postgres')}`;
  await page.getByRole('switch', { name: 'Run Local playground' }).click();
  const card = page.getByRole('listitem').filter({ hasText: 'Local playground' });
  const notice = card.getByRole('alert');
  await expect(notice).toContainText(kept, { timeout: 120_000 });
  await expect(notice).toContainText('pg_dump -h /tmp/pg-15-recovery');
  await expect(card).toContainText('Listening');
  await screenshotBothSchemes(page, testInfo, 'kept-database-card');

  await page.getByRole('button', { name: 'Local playground' }).click();
  await expect(tunnelStatus(page)).toContainText('Listening');
  await expect(page.getByRole('alert').filter({ hasText: kept })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Activity' })).toContainText(kept);
  await screenshotBothSchemes(page, testInfo, 'kept-database-detail');
});
