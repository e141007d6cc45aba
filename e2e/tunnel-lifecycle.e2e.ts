import { portIsOpen } from '../main/testing/ports.js';
import { openPsqlSession } from './fixtures/psql-session.js';
import { expect, test } from './fixtures/test.js';
import { addTunnel, copyUrl, tunnelStatus } from './fixtures/window.js';

test('add by pasting a DATABASE_URL, start, copy the URL, psql, disconnect, stop', async ({
  app: page,
  gateway,
}) => {
  // The token left the address bar once the cookie carried it; a reload still gets in.
  await expect(page.getByRole('button', { name: 'Add a tunnel' })).toBeVisible();
  await expect(page).not.toHaveURL(/token=/);
  await page.reload();
  await page.getByRole('button', { name: 'Add a tunnel' }).click();
  const databaseUrl = `prisma+postgres://accelerate.prisma-data.net/?api_key=${gateway.keys.valid}`;
  await addTunnel(page, { name: 'Staging', key: databaseUrl, gatewayUrl: gateway.wsUrl });

  const toggle = page.getByRole('switch', { name: 'Run Staging' });
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await toggle.click();
  await expect(tunnelStatus(page)).toContainText('Listening');
  await expect(toggle).toHaveAttribute('aria-checked', 'true');

  const url = await copyUrl(page);
  expect(url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/);
  await expect(page.getByRole('region', { name: 'Connect' })).toContainText(url);
  const port = Number(new URL(url).port);

  const psql = await openPsqlSession(url);
  try {
    const row = page.getByRole('row').filter({ hasText: 'psql' });
    // The one explicit bound: the session shows within 2 s of psql connecting.
    await expect(row).toBeVisible({ timeout: 2_000 });
    await expect(row).toContainText('postgres@postgres');
    await expect(row).toContainText('Idle');

    await row.getByRole('button', { name: /^Disconnect/ }).click();
    await expect(row).toHaveCount(0);
    // psql learns it on its next query: the tunnel ended the connection with a sentence.
    psql.child.stdin!.end('select 2;\n');
    expect(await psql.exited).not.toBe(0);
    expect(psql.stderr).toContain('the session was disconnected from PG Tunnel');
  } finally {
    await psql.stop();
  }

  await toggle.click();
  await expect(tunnelStatus(page)).toContainText('Stopped');
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  expect(await portIsOpen(port)).toBe(false);
});
