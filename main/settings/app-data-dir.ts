import path from 'node:path';
import envPaths from 'env-paths';

/**
 * Where Benchtop keeps its settings and secrets: the OS's per-user config folder
 * (~/.config/benchtop on Linux, ~/Library/Preferences/benchtop on macOS, %APPDATA%\benchtop\Config
 * on Windows), or BENCHTOP_HOME when set (tests, `benchtop start --data DIR`, portable installs).
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.BENCHTOP_HOME?.trim();
  if (override) return path.resolve(override);
  return envPaths('benchtop', { suffix: '' }).config;
}
