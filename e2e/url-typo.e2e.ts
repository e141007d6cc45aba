import { startCaptureServer } from '../main/testing/capture-server.js';
import { expect, test } from './fixtures/test.js';
import { pasteInto } from './fixtures/window.js';

test('a postgres:// URL with a typo pasted as the key is refused with the URL meant, and nothing is sent', async ({
  app: page,
  ui,
}) => {
  const capture = await startCaptureServer();
  try {
    await page.getByRole('button', { name: 'Add a tunnel' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Shop');
    await page.getByText('Advanced', { exact: true }).click();
    await page.getByLabel('Gateway URL').fill(capture.wsUrl);
    await pasteInto(page, 'API key or DATABASE_URL', 'postgres//app:s3cret@127.0.0.1/shop');
    await page.getByRole('button', { name: 'Add tunnel' }).click();
    await expect(
      page.getByText(
        'The API key: this looks like a postgres:// URL with a typo — did you mean postgres://app:****@127.0.0.1/shop?',
      ),
    ).toBeVisible();
    await expect(page.getByText('s3cret')).toHaveCount(0);
    expect((await ui.rpc('getSnapshot')).profiles).toEqual([]);
    expect(capture.connections).toBe(0);
  } finally {
    await capture.close();
  }
});
