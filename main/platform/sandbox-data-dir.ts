import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the sandbox keeps its data when not told: BENCHTOP_HOME/sandbox, else the platform's
 * application-data folder (XDG on Linux, Application Support on macOS, %APPDATA% on Windows).
 */
export function defaultSandboxDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.BENCHTOP_HOME) return join(env.BENCHTOP_HOME, 'sandbox');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'benchtop', 'sandbox');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'benchtop', 'sandbox');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'benchtop', 'sandbox');
}
