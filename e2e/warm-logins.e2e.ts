import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../main/testing/child-process.js';
import { expect, test } from './fixtures/test.js';
import { copyUrl, pasteInto, tunnelStatus } from './fixtures/window.js';

test("a direct profile's warm logins: shown as held once a client came, turned off under Advanced, which holds none", async ({
  app: page,
  ui,
  postgres,
}) => {
  const databaseUrl = `postgres://${postgres.user}:${encodeURIComponent(postgres.password)}@127.0.0.1:${postgres.port}/${postgres.database}?sslmode=disable`;
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Warm DB');
  await pasteInto(page, 'API key or DATABASE_URL', databaseUrl);
  await page.getByText('Advanced', { exact: true }).click();
  const warmLogins = page.getByLabel('Warm logins');
  // On by default.
  await expect(warmLogins).toBeChecked();
  await page.getByRole('button', { name: 'Add tunnel' }).click();
  await page.getByRole('switch', { name: 'Run Warm DB' }).click();
  await expect(tunnelStatus(page)).toContainText('Listening');
  // Nothing held before a client came.
  await expect(page.getByText('No warm login held')).toBeVisible();

  const url = await copyUrl(page);
  const psql = () =>
    run('psql', ['-X', '-A', '-t', url, '-c', 'select 1'], { PGAPPNAME: 'warm-e2e' });
  expect((await psql()).code).toBe(0);
  await expect(page.getByText(/\b1 warm login held/)).toBeVisible({ timeout: 5_000 });

  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Warm logins').uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(tunnelStatus(page)).toContainText('Listening');
  expect((await psql()).code).toBe(0);
  await expect(page.getByText(/warm login/i)).toHaveCount(0);
  const snapshot = await ui.rpc('getSnapshot');
  const profile = snapshot.profiles.find((p) => p.name === 'Warm DB')!;
  expect(profile.warmLogins).toBe('off');
  expect(snapshot.tunnels[profile.id]?.warmLogins).toEqual({ held: 0, max: 0 });
  expect(await readFile(join(ui.configDir, 'profiles.json'), 'utf8')).toContain(
    '"warmLogins": "off"',
  );
});
