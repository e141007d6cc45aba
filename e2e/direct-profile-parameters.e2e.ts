import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretToolLookup } from '../main/testing/secret-tool.js';
import { expect, test } from './fixtures/test.js';
import { pasteInto } from './fixtures/window.js';

test('a pasted string with several hosts, target_session_attrs, a client certificate and options: the form shows them all and the profile keeps them; the key passphrase goes to the keychain', async ({
  app: page,
  ui,
}) => {
  const passphrase = `pass${Math.random().toString(36).slice(2)}`;
  const pasted =
    'postgresql://app:pw@primary.example.com:5433,standby.example.com:5434/shop' +
    '?target_session_attrs=read-write&sslmode=verify-full&sslrootcert=system' +
    `&sslcert=/home/ada/client.crt&sslkey=/home/ada/client.key&sslpassword=${passphrase}` +
    '&options=-c%20search_path%3Dapp&keepalives_idle=30';
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await page.getByLabel('Name', { exact: true }).fill('HA');
  await pasteInto(page, 'API key or DATABASE_URL', pasted);
  await expect(page.getByLabel('Other hosts')).toHaveValue('standby.example.com:5434');
  await expect(page.getByLabel('Which host (target_session_attrs)')).toHaveValue('read-write');
  await expect(page.getByLabel('Client certificate (sslcert)')).toHaveValue('/home/ada/client.crt');
  await expect(page.getByLabel('Client key (sslkey)')).toHaveValue('/home/ada/client.key');
  await expect(page.getByLabel('Key passphrase (sslpassword)')).toHaveAttribute('type', 'password');
  await expect(page.getByLabel('Server options (options)')).toHaveValue('-c search_path=app');
  await page.getByRole('button', { name: 'Add tunnel' }).click();
  await expect(page.getByRole('heading', { name: 'HA', level: 1 })).toBeVisible();

  const snapshot = await ui.rpc('getSnapshot');
  const profile = snapshot.profiles.find((p) => p.name === 'HA')!;
  expect(profile.upstream).toMatchObject({
    hosts: [
      { host: 'primary.example.com', port: 5433 },
      { host: 'standby.example.com', port: 5434 },
    ],
    targetSessionAttrs: 'read-write',
    sslcert: '/home/ada/client.crt',
    sslkey: '/home/ada/client.key',
    options: '-c search_path=app',
    keepalivesIdle: 30,
  });
  expect(await secretToolLookup('pg-tunnel', `${profile.id}.sslpassword`)).toBe(passphrase);
  expect(await readFile(join(ui.configDir, 'profiles.json'), 'utf8')).not.toContain(passphrase);
  expect(JSON.stringify(snapshot)).not.toContain(passphrase);
});
