import { describe, expect, it } from 'vitest';
import { electronBinary } from './electron-binary.js';

describe('the Electron e2e on a machine whose npm ci downloads no Electron', () => {
  it('says it was skipped on purpose, and how to run it, not that Electron failed to install', () => {
    const before = process.env['ELECTRON_PATH'];
    delete process.env['ELECTRON_PATH'];
    try {
      const found = electronBinary();
      // Where a binary was fetched (npm start ran once), there is nothing to explain.
      const why = 'why' in found ? found.why : 'skipped on purpose';
      expect(why).toMatch(/^skipped on purpose/);
      expect(why).not.toContain('please delete node_modules/electron');
    } finally {
      if (before !== undefined) {
        process.env['ELECTRON_PATH'] = before;
      }
    }
  });
});
