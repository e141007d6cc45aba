import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateKeyMaterialIn } from '../main/testing/key-material.js';
import { runPsql } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { addTunnel, tunnelStatus } from './fixtures/window.js';

test('TLS on the local port: the toggle, the verifying psql command as copied, and the CA file', async ({
  app: page,
  gateway,
  ui,
}) => {
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  await addTunnel(page, { name: 'Secure', key: gateway.keys.valid, gatewayUrl: gateway.wsUrl });
  await page.getByRole('switch', { name: 'Run Secure' }).click();
  await expect(tunnelStatus(page)).toContainText('Listening');

  // The verifying preset, copied with its button and run as psql runs it.
  const connect = page.getByRole('region', { name: 'Connect' });
  await connect.getByText('TLS, verified with the local CA (verify-full)').click();
  const copyPsql = connect.getByRole('button', { name: 'Copy psql (verify-full)', exact: true });
  await copyPsql.click();
  await expect(copyPsql).toContainText('Copied');
  const command = await page.evaluate(() => navigator.clipboard.readText());
  const caPath = join(ui.configDir, 'tls', 'ca.crt');
  const url = /^psql "(.+)"$/.exec(command)?.[1];
  expect(new URL(url!).searchParams.get('sslmode')).toBe('verify-full');
  expect(new URL(url!).searchParams.get('sslrootcert')).toBe(caPath);
  const verified = await runPsql(url!, 'select 1');
  expect(verified.stderr).toBe('');
  expect(verified.stdout.trim()).toBe('1');

  // The CA certificate for GUI clients that ask for a root certificate: copied, and saved.
  const caPem = await readFile(caPath, 'utf8');
  await expect(connect.getByText(caPath, { exact: true })).toBeVisible();
  await connect.getByRole('button', { name: 'Copy certificate (PEM)' }).click();
  await expect(connect.getByRole('button', { name: 'Certificate copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(caPem);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    connect.getByRole('button', { name: 'Save certificate…' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('pg-tunnel-local-ca.crt');
  expect(await readFile((await download.path())!, 'utf8')).toBe(caPem);

  // No private key reaches the window (the page, the snapshot and the tunnel's log it is sent)
  // nor what `pg-tunnel ui` printed.
  const snapshot = await ui.rpc('getSnapshot');
  const log = await ui.rpc('getLog', snapshot.profiles[0]!.id);
  expect(log.map((entry) => entry.message)).toContain(
    `Made the local certificate authority ${caPath}.`,
  );
  const seen = [await page.content(), JSON.stringify([snapshot, log]), ui.process.output].join(
    '\n',
  );
  expect(await privateKeyMaterialIn(seen, ui.configDir)).toEqual([]);

  // The toggle, under Advanced: off, clients that insist on TLS are refused, as by Postgres.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByText('Advanced', { exact: true }).click();
  const toggle = page.getByLabel('TLS on the local port');
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Secure', level: 1 })).toBeVisible();
  await expect(tunnelStatus(page)).toContainText('Listening');
  await expect(connect.getByText(/TLS, verified with the local CA/)).toHaveCount(0);
  const refused = await runPsql(url!, 'select 1');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('server does not support SSL, but SSL was required');
});
