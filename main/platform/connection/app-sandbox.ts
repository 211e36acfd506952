import path from 'node:path';
import type { AgentLauncher } from '../agent-launcher.js';
import { startLocalSandbox, type LocalSandbox } from '../local-sandbox.js';
import type { LocalPlatform } from './platform-registry.js';

export interface AppSandbox {
  /** Resolves when the sandbox answers; rejects with why it could not start. */
  platform: Promise<LocalPlatform>;
  /** Stops it (waits for a start still under way first). */
  stop(): Promise<void>;
}

/**
 * The local sandbox an app shell starts with itself, its data under the app-data folder
 * (`<dataDir>/sandbox`), one worker unless BENCHTOP_SANDBOX_WORKERS says otherwise.
 * BENCHTOP_SANDBOX=off leaves it out (a machine that only talks to deployed stacks).
 */
export function startSandboxForApp(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  launcher?: AgentLauncher,
): AppSandbox | undefined {
  if (env.BENCHTOP_SANDBOX === 'off') return undefined;
  const workers = Number(env.BENCHTOP_SANDBOX_WORKERS ?? 1);
  const started: Promise<LocalSandbox> = startLocalSandbox({
    dataDir: path.join(dataDir, 'sandbox'),
    // Runs must not see the app's own files either (browser mode keeps platform tokens there).
    workerArgs: ['--hide', dataDir],
    workers: Number.isInteger(workers) && workers >= 0 && workers <= 16 ? workers : 1,
    ...(launcher ? { launcher } : {}),
  });
  const platform = started.then(
    (s) => ({ url: s.url, token: s.researcherToken, adminToken: s.adminToken, status: () => s.status() }),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log(`benchtop: the local sandbox did not start: ${message}`);
      throw new Error(message);
    },
  );
  // The registry reports a failed start; nothing else must treat it as unhandled.
  platform.catch(() => undefined);
  return {
    platform,
    stop: async () => {
      const sandbox = await started.catch(() => undefined);
      await sandbox?.stop();
    },
  };
}
