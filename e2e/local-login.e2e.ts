import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretToolLookup } from '../main/testing/secret-tool.js';
import { runPsql } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { pasteInto, tunnelStatus } from './fixtures/window.js';

test('a password for the local port: turned on under Advanced, shown under Connect, kept in the keychain; psql with channel binding logs in with it, a wrong one gets 28P01', async ({
  app: page,
  gateway,
  ui,
}) => {
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Guarded');
  await pasteInto(page, 'API key or DATABASE_URL', gateway.keys.valid);
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Gateway URL').fill(gateway.wsUrl);
  const localLogin = page.getByLabel('A password for the local port');
  await expect(localLogin).not.toBeChecked(); // off by default
  await expect(page.getByText(/Off, any program and any user of this computer/)).toBeVisible();
  await localLogin.check();
  await page.getByRole('button', { name: 'Add tunnel' }).click();
  await expect(page.getByRole('heading', { name: 'Guarded', level: 1 })).toBeVisible();
  await page.getByRole('switch', { name: 'Run Guarded' }).click();
  await expect(tunnelStatus(page)).toContainText('Listening');

  const connect = page.getByRole('region', { name: 'Connect' });
  const copy = connect.getByRole('button', { name: 'Copy URL with password', exact: true });
  await copy.click();
  await expect(copy).toContainText('Copied');
  const url = new URL(await page.evaluate(() => navigator.clipboard.readText()));
  expect(url.searchParams.get('channel_binding')).toBe('require');
  expect(url.searchParams.get('sslmode')).toBe('require');
  const password = decodeURIComponent(url.password);
  expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

  const loggedIn = await runPsql(url.href, 'select 40 + 2');
  expect(loggedIn.stderr).toBe('');
  expect(loggedIn.stdout.trim()).toBe('42');

  const wrong = new URL(url.href);
  wrong.password = 'not-it';
  const refused = await runPsql(wrong.href, 'select 1');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('FATAL:  password authentication failed for user "postgres"');

  const none = new URL(url.href);
  none.password = '';
  const noPassword = await runPsql(none.href, 'select 1');
  expect(noPassword.code).not.toBe(0);
  expect(noPassword.stderr).toContain('no password supplied');

  // The password is in the keychain beside the key, never in profiles.json; the flag is.
  const snapshot = await ui.rpc('getSnapshot');
  const profile = snapshot.profiles.find((p) => p.name === 'Guarded')!;
  expect(profile.localLogin).toBe(true);
  expect(await secretToolLookup('pg-tunnel', `${profile.id}.local-login`)).toBe(password);
  const saved = await readFile(join(ui.configDir, 'profiles.json'), 'utf8');
  expect(saved).toContain('"localLogin": true');
  expect(saved).not.toContain(password);
  expect(JSON.stringify(snapshot)).not.toContain(password);
  expect(ui.process.output).not.toContain(password);
});
