import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the tray window: Debian's Chromium (no browser download) drives the renderer
 * as `pg-tunnel ui` serves it, over a real gateway, Postgres and keychain. Run with `npm run e2e`
 * (or as part of `npm test`), which builds first and provides the keychain.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.ts',
  outputDir: 'test-results/playwright',
  // Each test starts its own `pg-tunnel ui`; the playground's first start runs initdb.
  timeout: 180_000,
  expect: { timeout: 15_000 },
  // One at a time: the machine has two cores, and the tests start servers of their own.
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['./e2e/summary-reporter.ts']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.PG_TUNNEL_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    // The tray window's size.
    viewport: { width: 380, height: 560 },
    permissions: ['clipboard-read', 'clipboard-write'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
