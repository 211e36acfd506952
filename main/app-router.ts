import { readFileSync } from 'node:fs';
import { getAppInfo } from '../common/api/app.contract.js';
import { Router } from '../common/api/router.js';
import { registerAws } from './aws/register-aws.js';
import { registerBackups } from './backups/register-backups.js';
import { registerCost } from './cost/register-cost.js';
import { registerDeploy } from './deploy/register-deploy.js';
import { registerObserve } from './observe/register-observe.js';
import type { SecretStore } from './settings/secret-store.js';
import type { SettingsStore } from './settings/settings-store.js';
import { registerSettings } from './settings/register-settings.js';
import type { LocalPlatform } from './platform/connection/platform-registry.js';
import { registerDeploymentPlatforms } from './platform/connection/register-deployment-platforms.js';
import { registerResearcher } from './platform/connection/register-researcher.js';
import type { InviteLinkInbox } from './platform/connection/invite-link-inbox.js';
import { registerTerminal } from './terminal/register-terminal.js';
import { TerminalHub } from './terminal/terminal-hub.js';

/**
 * What every feature's handlers may use. Both shells (Electron, the loopback host) build one of
 * these and hand it to `createAppRouter`; a feature that needs more adds a field here.
 */
export interface AppDeps {
  readonly shell: 'desktop' | 'browser';
  readonly version: string;
  /** The app-data folder (settings, secrets, the local sandbox's data). */
  readonly dataDir: string;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly env: NodeJS.ProcessEnv;
  /** The local sandbox the shell started (or is starting): URL and the researcher token. */
  readonly localPlatform?: LocalPlatform | Promise<LocalPlatform>;
  /** Invite links the operating system opened the desktop app with (`benchtop://connect?…`). */
  readonly inviteLinks?: InviteLinkInbox;
  /** Open terminals; the shell's transport attaches pages to them (made here when the shell has none). */
  readonly terminals?: TerminalHub;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function registerApp(router: Router, deps: AppDeps): void {
  router.handle(getAppInfo, () => ({ name: 'Benchtop' as const, version: deps.version, shell: deps.shell, platform: process.platform }));
}

/** The one router both transports serve. Each feature adds its own `registerX(router, deps)` line. */
export function createAppRouter(deps: AppDeps): Router {
  const router = new Router();
  registerApp(router, deps);
  registerAws(router, deps);
  registerSettings(router, deps);
  registerObserve(router, deps);
  const platforms = registerResearcher(router, deps);
  registerCost(router, { platforms });
  registerBackups(router, { platforms, env: deps.env });
  registerDeploy(router, { env: deps.env, settings: deps.settings, platforms: registerDeploymentPlatforms(router, { platforms, settings: deps.settings }) });
  registerTerminal(router, { ...deps, terminals: deps.terminals ?? new TerminalHub() }, platforms);
  return router;
}
