import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretToolLookup } from '../main/testing/secret-tool.js';
import { expect, test } from './fixtures/test.js';

/** A service file and a password file of the user's, as libpq reads them, for `pg-tunnel ui`. */
const files = mkdtempSync(join(tmpdir(), 'pg-tunnel-libpq-files-'));
const SERVICE_PASSWORD = `svc${Math.random().toString(36).slice(2)}`;
const PASSFILE_PASSWORD = `pass${Math.random().toString(36).slice(2)}`;
writeFileSync(
  join(files, 'pg_service.conf'),
  [
    '# the team’s services',
    '[shop]',
    'host=db.example.com',
    'port=6432',
    'dbname=shop',
    'user=clerk',
    `password=${SERVICE_PASSWORD}`,
    'sslmode=verify-full',
    'sslrootcert=system',
    'target_session_attrs=read-write',
    '',
  ].join('\n'),
);
writeFileSync(
  join(files, 'pgpass'),
  `*:*:*:*:wildcard\nwarehouse.example.com:5433:stock:keeper:${PASSFILE_PASSWORD}\n`,
  { mode: 0o600 },
);

test.use({
  uiOptions: {
    env: {
      PGSERVICEFILE: join(files, 'pg_service.conf'),
      PGPASSFILE: join(files, 'pgpass'),
    },
  },
});

test('"Add from…" offers the services and the password file entries; picking one fills the form, and its password goes to the keychain only', async ({
  app: page,
  ui,
}) => {
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  const addFrom = page.getByLabel('Add from…');
  // A wildcard entry names no one connection: not offered.
  await expect(addFrom.locator('option')).toHaveText([
    'A service or a password file entry',
    'service shop',
    'keeper@warehouse.example.com:5433/stock (password file)',
  ]);

  await addFrom.selectOption({ label: 'service shop' });
  await expect(page.getByLabel('Database host')).toHaveValue('db.example.com');
  await expect(page.getByLabel('Database port')).toHaveValue('6432');
  await expect(page.getByLabel('User', { exact: true })).toHaveValue('clerk');
  await expect(page.getByLabel('Which host (target_session_attrs)')).toHaveValue('read-write');
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  await page.getByLabel('Name', { exact: true }).fill('Shop');
  await page.getByRole('button', { name: 'Add tunnel' }).click();
  await expect(page.getByRole('heading', { name: 'Shop', level: 1 })).toBeVisible();

  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('button', { name: /^Add/ }).first().click();
  await page
    .getByLabel('Add from…')
    .selectOption({ label: 'keeper@warehouse.example.com:5433/stock (password file)' });
  await expect(page.getByLabel('Database host')).toHaveValue('warehouse.example.com');
  await expect(page.getByLabel('Database', { exact: true })).toHaveValue('stock');
  await page.getByLabel('Name', { exact: true }).fill('Stock');
  await page.getByRole('button', { name: 'Add tunnel' }).click();
  await expect(page.getByRole('heading', { name: 'Stock', level: 1 })).toBeVisible();

  const snapshot = await ui.rpc('getSnapshot');
  const shop = snapshot.profiles.find((p) => p.name === 'Shop')!;
  const stock = snapshot.profiles.find((p) => p.name === 'Stock')!;
  expect(shop.upstream).toMatchObject({
    host: 'db.example.com',
    port: 6432,
    database: 'shop',
    user: 'clerk',
    sslmode: 'verify-full',
    targetSessionAttrs: 'read-write',
  });
  expect(stock.upstream).toMatchObject({
    host: 'warehouse.example.com',
    port: 5433,
    user: 'keeper',
  });
  expect(await secretToolLookup('pg-tunnel', shop.id)).toBe(SERVICE_PASSWORD);
  expect(await secretToolLookup('pg-tunnel', stock.id)).toBe(PASSFILE_PASSWORD);
  const saved = await readFile(join(ui.configDir, 'profiles.json'), 'utf8');
  const sources = JSON.stringify(await ui.rpc('listConnectionSources'));
  for (const password of [SERVICE_PASSWORD, PASSFILE_PASSWORD]) {
    expect(saved).not.toContain(password);
    expect(sources).not.toContain(password);
    expect(await page.content()).not.toContain(password);
  }
});
