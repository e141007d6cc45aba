import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The tray window. Built into dist/renderer, which `pg-tunnel ui` serves at / and the Electron shell
 * loads from disk: hence relative asset URLs. Everything is bundled, because the window's CSP allows
 * scripts, styles and fonts from its own origin only.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Chromium (Electron, and the browser `pg-tunnel ui` opens) has module preload natively.
    modulePreload: { polyfill: false },
  },
});
