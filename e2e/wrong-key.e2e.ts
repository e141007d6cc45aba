import { runPsql } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { addTunnel, copyUrl, tunnelStatus } from './fixtures/window.js';

test('a wrong key shows its sentence and the fix on the card as the tunnel starts, before any client', async ({
  app: page,
  gateway,
}) => {
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await addTunnel(page, {
    name: 'Wrong key',
    key: 'a-key-the-gateway-never-saw',
    gatewayUrl: gateway.wsUrl,
  });
  await page.getByRole('switch', { name: 'Run Wrong key' }).click();
  await expect(tunnelStatus(page)).toContainText('Listening');
  const url = await copyUrl(page);
  await page.getByRole('button', { name: 'Back' }).click();

  // No client has connected: the tunnel's first dial, at start, was refused, and the card says so,
  // naming the profile rather than the CLI's variables.
  const card = page.getByRole('listitem').filter({ hasText: 'Wrong key' });
  await expect(card.getByRole('alert')).toContainText(
    /^API key is invalid: the tunnel gateway refused it .*Edit the API key of “Wrong key” in PG Tunnel\./,
  );
  await expect(card.getByRole('alert')).not.toContainText('PDP_API_KEY');

  // psql, too, shows the tunnel's sentence.
  const attempt = await runPsql(url, 'select 1');
  expect(attempt.code).not.toBe(0);
  expect(attempt.stderr).toContain('API key is invalid');

  await card.getByRole('button', { name: 'Edit the key' }).click();
  const keyField = page.getByLabel('API key or DATABASE_URL', { exact: true });
  await expect(keyField).toBeFocused();
  await expect(keyField).toHaveValue(''); // the saved key never comes back to the window

  // Saving the right key restarts the tunnel on the same port, and the sentence goes.
  await keyField.fill(gateway.keys.valid);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Wrong key', level: 1 })).toBeVisible();
  await expect(tunnelStatus(page)).toContainText('Listening');
  await expect(page.getByRole('alert').filter({ hasText: 'API key is invalid' })).toHaveCount(0);
  const fixed = await runPsql(url, 'select 42');
  expect(fixed.stdout.trim()).toBe('42');
});
