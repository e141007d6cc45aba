import type { AppSnapshot, RpcClient } from '../../shared/rpc.js';
import type { ShellLog } from './shell-log.js';

/**
 * Copies each tunnel's log entries (sessions opening and closing, failures) into the tray app's
 * log file as they come, `<profile name>: <message>`: the entries are the tunnels' own sentences,
 * which never carry a secret.
 */
export class TunnelLogMirror {
  /** Each tunnel's entries already written. */
  private readonly written = new Map<string, number>();

  constructor(
    private readonly log: ShellLog,
    private readonly commands: Pick<RpcClient, 'getLog'>,
  ) {}

  /** Writes the entries that are new since the last snapshot. */
  async write(snapshot: AppSnapshot): Promise<void> {
    for (const profile of snapshot.profiles) {
      const count = snapshot.tunnels[profile.id]?.logEntries ?? 0;
      const written = this.written.get(profile.id) ?? 0;
      if (count <= written) {
        continue;
      }
      this.written.set(profile.id, count);
      const entries = await this.commands.getLog(profile.id);
      for (const entry of entries.slice(-(count - written))) {
        const line = `${profile.name}: ${entry.message}`;
        if (entry.level === 'error') {
          this.log.error(line);
        } else {
          this.log.info(line);
        }
      }
    }
  }
}
