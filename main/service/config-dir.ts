import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where profiles and the playground's data live unless --config-dir says otherwise. */
export function defaultConfigDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  switch (platform) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'pg-tunnel');
    case 'win32':
      return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'pg-tunnel');
    default:
      return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'pg-tunnel');
  }
}
