import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RpcArgs, RpcCommand, RpcResult } from '../../shared/rpc.js';
import { unwrapReply, type RpcReply } from '../../shared/rpc-dispatch.js';
import { commandChannel } from '../electron/ipc-channels.js';
import { NOTIFICATION_SERVER } from '../electron/notifier.js';
import { launchTrayApp, type TrayAppOptions } from '../electron/tray-app.js';
import { sessionBusProvides } from '../electron/tray-host.js';
import type { TrayShell } from '../electron/tray-shell.js';
import { newConfigDir, TEST_KEYCHAIN_SERVICE } from './app-core.js';
import {
  fakeElectron,
  FakeUpdater,
  type FakeElectron,
  type FakeImage,
  type FakeTray,
  type FakeWindow,
} from './fake-electron.js';
import { until } from './until.js';

/**
 * The page's URL per platform, as two sides spell it: `app` as the shell builds it from
 * `import.meta.url`, `frame` as Chromium reports the window's frame (its drive letter upper case,
 * a fragment for the route). Both name the same file, in an install path with a space.
 */
export function testPageUrls(platform: NodeJS.Platform): { app: string; frame: string } {
  return platform === 'win32'
    ? {
        app: 'file:///c:/Program%20Files/PG%20Tunnel/resources/app.asar/dist/renderer/index.html',
        frame:
          'file:///C:/Program%20Files/PG%20Tunnel/resources/app.asar/dist/renderer/index.html#/',
      }
    : {
        app: 'file:///opt/PG%20Tunnel/resources/app.asar/dist/renderer/index.html',
        frame: 'file:///opt/PG%20Tunnel/resources/app.asar/dist/renderer/index.html#/',
      };
}

export interface TestTrayApp {
  fake: FakeElectron;
  /** The URL Chromium reports for the app's page on this platform (what IPC calls come from). */
  frameUrl: string;
  /** The stand-in's updater, when launched with `updater: true`. */
  updater: FakeUpdater | undefined;
  shell: TrayShell<FakeImage>;
  configDir: string;
  autostartDir: string;
  window: FakeWindow;
  tray: FakeTray;
  /** A command as the app's page calls it over IPC: the reply, errors as data. */
  call<K extends RpcCommand>(command: K, ...args: RpcArgs<K>): Promise<RpcReply>;
  /** A command as the page calls it; rejects with the sentence when it fails. */
  run<K extends RpcCommand>(command: K, ...args: RpcArgs<K>): Promise<RpcResult<K>>;
  /** The menu the tray shows now (its context menu, or the one it pops up on right click). */
  trayMenu(): Promise<{ labels: string[]; click(label: string): void }>;
  /**
   * Quits as the tray's Quit does, answering "Disconnect and Quit" should sessions still be open,
   * and waits for the app to exit.
   */
  quit(): Promise<void>;
}

export interface TestTrayAppOptions {
  platform: NodeJS.Platform;
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  /** A config directory prepared by the test; a fresh one otherwise. */
  configDir?: string;
  /** What the stand-in plays (Notification.isSupported(), say); see FakeElectronOptions. */
  electron?: { notificationsSupported?: boolean };
  /** Passed on to the shell (the liveness check's interval and address source). */
  shell?: Pick<TrayAppOptions, 'livenessIntervalMs' | 'machineAddresses'>;
  /** A packaged app with an update feed: the stand-in's updater, which the test fills. */
  updater?: boolean;
}

/**
 * Launches the real tray app shell, with the real core (the tests' keychain service), on the
 * recording stand-in for Electron, as it would start on `platform`; resolves once launched.
 */
export async function launchTestTrayApp({
  platform,
  argv = [],
  env = process.env,
  configDir,
  electron = {},
  shell: shellOptions = {},
  updater = false,
}: TestTrayAppOptions): Promise<TestTrayApp> {
  // The stand-in's Linux desktop has a notification server exactly when this session bus does.
  const notificationServer =
    platform !== 'linux' || ((await sessionBusProvides(NOTIFICATION_SERVER, env)) ?? true);
  const fake = fakeElectron({ platform, notificationServer, ...electron });
  const updates = updater ? new FakeUpdater(fake.app) : undefined;
  const dir = configDir ?? (await newConfigDir());
  const autostartDir = await mkdtemp(join(tmpdir(), 'pg-tunnel-autostart-'));
  const page = testPageUrls(platform);
  const launch = launchTrayApp(fake.electron, {
    platform,
    argv,
    env,
    paths: { assetsDir: '/opt/PG Tunnel/assets', pageUrl: page.app, preloadPath: '/p.cjs' },
    location: { configDir: dir, legacyDir: undefined },
    keychainService: TEST_KEYCHAIN_SERVICE,
    autostartDir,
    ...shellOptions,
    ...(updates ? { updater: updates } : {}),
  });
  const shell = await launch?.launched;
  if (!shell) {
    throw new Error('The tray app did not launch.');
  }
  const call = <K extends RpcCommand>(command: K, ...args: RpcArgs<K>): Promise<RpcReply> =>
    fake.ipc.invoke(commandChannel(command), page.frame, ...args);
  const tray = fake.trays[0]!;
  const trayMenu = async (): Promise<{ labels: string[]; click(label: string): void }> => {
    const before = tray.shownMenus.length;
    tray.userRightClick();
    const menu = await until(() => tray.shownMenus[before], 'the tray menu to open');
    return { labels: menu.labels(), click: (label: string) => menu.click(label) };
  };
  return {
    fake,
    frameUrl: page.frame,
    updater: updates,
    shell,
    configDir: dir,
    autostartDir,
    window: fake.windows[0]!,
    tray,
    call,
    run: async (command, ...args) => unwrapReply(await call(command, ...args)),
    trayMenu,
    async quit() {
      fake.dialogs.answers.splice(0, Infinity, 'Disconnect and Quit');
      (await trayMenu()).click('Quit PG Tunnel');
      await until(() => fake.app.exitCode, 'the app to exit', 15_000);
    },
  };
}
