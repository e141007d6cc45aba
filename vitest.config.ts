import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: [
            'main/**/*.test.ts',
            'shared/**/*.test.ts',
            'bench/**/*.test.ts',
            'deploy/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          globalSetup: ['main/testing/global-setup.ts'],
        },
      },
      {
        // Process-level scenarios: real Postgres, psql and pgbench, the CLI and the gateway as
        // child processes. Each file is named for what it exercises; unit tests sit beside code.
        extends: true,
        test: {
          name: 'system',
          include: ['system/**/*.test.ts'],
          globalSetup: ['main/testing/global-setup.ts'],
        },
      },
      {
        // The tray window's components, in a simulated DOM. The end-to-end tests (e2e/*.e2e.ts)
        // run in Playwright, not here.
        extends: true,
        plugins: [react()],
        test: {
          name: 'renderer',
          include: ['renderer/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['renderer/src/testing/setup.ts'],
        },
      },
    ],
  },
});
