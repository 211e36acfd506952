import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type AppDeps, createAppRouter, packageVersion } from '../app-router.js';
import { appDataDir } from '../settings/app-data-dir.js';
import { createPlainFileSecretStore } from '../settings/secret-store.js';
import { SettingsStore } from '../settings/settings-store.js';
import { startHost } from './host-server.js';
import { startSandboxForApp } from '../platform/connection/app-sandbox.js';
import { TerminalHub } from '../terminal/terminal-hub.js';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

export interface BrowserModeOptions {
  port?: number;
  /** The app-data folder; default BENCHTOP_HOME or the OS's per-user config folder. */
  dataDir?: string;
  rendererDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Human-readable notices (never stdout, which belongs to the URL). */
  log?: (message: string) => void;
}

export interface BrowserMode {
  url: string;
  dataDir: string;
  /** Stops everything that was started, last started first. */
  stop(): Promise<void>;
}

/**
 * Everything `benchtop start` runs. Each part registers how to stop it in `running`, so a part that
 * fails to start leaves nothing behind, and adding one (the local sandbox, before the router so
 * its address can go into AppDeps) is one more `running.push(await startX(...))` here.
 */
export async function startBrowserMode(options: BrowserModeOptions = {}): Promise<BrowserMode> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const dataDir = options.dataDir ?? appDataDir(env);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const running: { name: string; stop: () => Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    for (const part of running.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (error) {
        log(`benchtop: stopping ${part.name} failed: ${(error as Error).message}`);
      }
    }
  };

  try {
    // Started in the background: the address is printed at once and the researcher pages say
    // "starting" until the sandbox answers.
    const sandbox = startSandboxForApp(dataDir, env, log);
    if (sandbox) running.push({ name: 'the local sandbox', stop: sandbox.stop });
    const terminals = new TerminalHub();
    running.push({ name: 'the terminals', stop: async () => terminals.closeAll() });
    const deps: AppDeps = {
      terminals,
      ...(sandbox ? { localPlatform: sandbox.platform } : {}),
      shell: 'browser',
      version: packageVersion(),
      dataDir,
      settings: new SettingsStore(dataDir),
      secrets: createPlainFileSecretStore(dataDir, (m) => log(`benchtop: ${m}`)),
      env,
    };
    const host = await startHost({ router: createAppRouter(deps), terminals, rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR, ...(options.port !== undefined ? { port: options.port } : {}) });
    running.push({ name: 'the loopback host', stop: () => host.close() });
    return { url: host.url, dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
