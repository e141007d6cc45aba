import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import type { Gateway } from '../gateway/index.js';
import { newApiKey } from './gateway.js';
import { keyFor, startInProcessGateway } from './in-process.js';
import { launchTestTrayApp, type TestTrayApp, type TestTrayAppOptions } from './tray-app.js';

/** What a test file of the tray app gets from trayTestBed. */
export interface TrayTestBed {
  /** A key the gateway serves, to the run's Postgres. */
  apiKey: string;
  /** The gateway (set once the file's beforeAll ran). */
  gateway(): Gateway;
  /** Its ws:// URL, for profiles. */
  gatewayUrl(): string;
  /** Launches the tray app (launchTestTrayApp); it is quit after the test. */
  launch(options: TestTrayAppOptions): Promise<TestTrayApp>;
}

/**
 * The set-up the tray app's test files share, registered as vitest hooks of the calling file: an
 * in-process gateway in front of the run's Postgres for the whole file, and each launched app
 * quit after its test (answering "Disconnect and Quit"), unless it exited or quit into an
 * update's installer. A file's own afterEach hooks registered later run before that quit.
 */
export function trayTestBed(): TrayTestBed {
  const postgres = inject('postgres');
  const apiKey = newApiKey();
  let gateway: Gateway | undefined;
  let gatewayUrl = '';
  let running: TestTrayApp | undefined;

  beforeAll(async () => {
    ({ gateway, gatewayUrl } = await startInProcessGateway([keyFor(apiKey, postgres.url)]));
  });
  afterAll(async () => {
    await gateway?.close();
  });
  afterEach(async () => {
    if (running?.fake.app.exitCode === undefined && !running?.updater?.installed) {
      await running?.quit();
    }
    running = undefined;
  });

  return {
    apiKey,
    gateway: () => gateway!,
    gatewayUrl: () => gatewayUrl,
    async launch(options) {
      running = await launchTestTrayApp(options);
      return running;
    },
  };
}
