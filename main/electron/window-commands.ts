import { RPC_COMMANDS, RpcError, type RpcClient } from '../../shared/rpc.js';
import type { Settings } from '../../shared/tunnel-state.js';
import type { AppCore } from '../service/app-core.js';
import type { CoreStart } from './core-start.js';
import {
  applyStartAtLogin,
  readStartAtLogin,
  type LoginItemReport,
  type StartAtLoginOptions,
} from './login-items.js';

/** The login item's options for a value of the "start hidden" setting. */
export type LoginItemOptions = (hidden: boolean) => StartAtLoginOptions;

/**
 * The commands the tray app's window (and its tray menu) call: the core's, reached through its
 * start, so that the IPC bridge exists before the core does. While the core starts, a command
 * waits for it; after a failed start, it starts it again and, failing again, rejects with the
 * sentence, which the window shows with its Retry. `updateSettings` also applies start at login to
 * the system (see `updateSettingsAndLoginItem`).
 */
export function windowCommands(start: CoreStart<AppCore>, login: LoginItemOptions): RpcClient {
  const commands = Object.fromEntries(
    RPC_COMMANDS.map((name) => [
      name,
      async (...args: unknown[]) => {
        const core = await start.core();
        return (core.commands[name] as (...a: unknown[]) => Promise<unknown>)(...args);
      },
    ]),
  ) as RpcClient;
  return {
    ...commands,
    updateSettings: async (changes) =>
      updateSettingsAndLoginItem(await start.core(), changes, login),
  };
}

/**
 * Changes settings. When "start at login" changed (or "start hidden", which the login entry
 * carries, while it is on), applies it to the system, reads back what the system will do, and
 * records that, so the switch shows what will really happen at the next login.
 *
 * @throws RpcError with the system's sentence when it holds the login item back (macOS waiting
 *   for the user's approval, Windows with the app turned off among its startup apps); the
 *   settings then say it is off.
 */
async function updateSettingsAndLoginItem(
  core: AppCore,
  changes: Partial<Settings>,
  login: LoginItemOptions,
): Promise<Settings> {
  const settings = await core.commands.updateSettings(changes);
  const loginEntryChanged =
    changes.startAtLogin !== undefined ||
    (changes.startHidden !== undefined && settings.startAtLogin);
  if (!loginEntryChanged) {
    return settings;
  }
  const options = login(settings.startHidden);
  await applyStartAtLogin(settings.startAtLogin, options);
  const report = await recordLoginItem(core, options);
  if (settings.startAtLogin && report.problem) {
    throw new RpcError(report.problem);
  }
  return core.snapshot().settings;
}

/**
 * Reads what the system will do at login and, when the settings say otherwise (an approval still
 * pending, an entry removed by hand, settings copied from another computer), records it.
 */
export async function recordLoginItem(
  core: AppCore,
  options: StartAtLoginOptions,
): Promise<LoginItemReport> {
  const report = await readStartAtLogin(options);
  if (core.snapshot().settings.startAtLogin !== report.enabled) {
    await core.commands.updateSettings({ startAtLogin: report.enabled });
  }
  return report;
}
