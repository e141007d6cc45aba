import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../main/testing/child-process.js';
import { secretToolLookup } from '../main/testing/secret-tool.js';
import { openPsqlSession } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { copyUrl, pasteInto, tunnelStatus } from './fixtures/window.js';

test('paste a postgres:// URL with a password, start the direct profile, psql through the copied URL, see its session', async ({
  app: page,
  ui,
  postgres,
}) => {
  const password = postgres.password;
  const databaseUrl = `postgres://${postgres.user}:${encodeURIComponent(password)}@127.0.0.1:${postgres.port}/${postgres.database}?sslmode=disable`;

  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Direct DB');
  await pasteInto(page, 'API key or DATABASE_URL', databaseUrl);
  // The URL's parts fill the direct profile's fields; the password stays masked.
  await expect(page.getByLabel('Database host')).toHaveValue('127.0.0.1');
  await expect(page.getByLabel('User', { exact: true })).toHaveValue(postgres.user);
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Add tunnel' }).click();
  await expect(page.getByRole('heading', { name: 'Direct DB', level: 1 })).toBeVisible();
  await expect(page.getByText('Direct', { exact: true })).toBeVisible();

  const toggle = page.getByRole('switch', { name: 'Run Direct DB' });
  await toggle.click();
  await expect(tunnelStatus(page)).toContainText('Listening');

  // The copied URL names the profile's own role and database, and needs no password.
  const url = await copyUrl(page);
  expect(url).toMatch(
    new RegExp(
      `^postgresql://${postgres.user}@127\\.0\\.0\\.1:\\d+/${postgres.database}\\?sslmode=disable$`,
    ),
  );
  const psql = await openPsqlSession(url);
  try {
    const row = page.getByRole('row').filter({ hasText: 'psql' });
    await expect(row).toBeVisible({ timeout: 2_000 });
    await expect(row).toContainText(`${postgres.user}@${postgres.database}`);
    await expect(row).toContainText('Idle');
  } finally {
    await psql.stop();
  }

  // The password is in the keychain, under the profile's id, and nowhere the window or a file or
  // the process list shows.
  const snapshot = await ui.rpc('getSnapshot');
  const profile = snapshot.profiles.find((p) => p.name === 'Direct DB')!;
  expect(profile.secretMask).toBe('••••••••');
  expect(await secretToolLookup('pg-tunnel', profile.id)).toBe(password);
  const processes = await run('ps', ['-eo', 'args']);
  for (const form of [password, encodeURIComponent(password)]) {
    expect(await page.content()).not.toContain(form);
    expect(JSON.stringify(snapshot)).not.toContain(form);
    expect(JSON.stringify(await ui.rpc('getLog', profile.id))).not.toContain(form);
    expect(await readFile(join(ui.configDir, 'profiles.json'), 'utf8')).not.toContain(form);
    expect(ui.process.output).not.toContain(form);
    expect(processes.stdout).not.toContain(form);
  }
});
