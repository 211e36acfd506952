import { connectDeployment, getDeploymentPlatform } from '../../../common/api/platforms.contract.js';
import { ApiError } from '../../../common/api/errors.js';
import type { Router } from '../../../common/api/router.js';
import type { Deployment } from '../../../common/api/settings.contract.js';
import type { DeploymentPlatformHooks } from '../../deploy/register-deploy.js';
import type { SettingsStore } from '../../settings/settings-store.js';
import { DeploymentConnector, type DeploymentConnectorOptions } from './deployment-connector.js';
import type { PlatformRegistry } from './platform-registry.js';

export interface DeploymentPlatformsDeps {
  platforms: PlatformRegistry;
  settings: SettingsStore;
  clients?: DeploymentConnectorOptions['clients'];
  now?: DeploymentConnectorOptions['now'];
  /** Read every known deployment's platform now (the app's start); default true. */
  reconnect?: boolean;
}

// A platform that does not answer must not hold up the Deployment page's status.
const VERSION_WAIT_MS = 5_000;

/**
 * The deployments' platforms: the Deployment page's view of its platform and its "connect", and
 * the hooks the deploy engine calls after an install and once a stack is gone. On start, every
 * known deployment is read again in the background.
 */
export function registerDeploymentPlatforms(router: Router, deps: DeploymentPlatformsDeps): DeploymentPlatformHooks {
  const connector = new DeploymentConnector({ platforms: deps.platforms, settings: deps.settings, ...(deps.clients ? { clients: deps.clients } : {}), ...(deps.now ? { now: deps.now } : {}) });
  const find = (id: string): Deployment => {
    const d = deps.settings.getDeployment(id);
    if (!d) throw new ApiError('not-found', `There is no saved deployment ${id}.`, 'Pick one on the Deployment page, or install one from Setup.');
    return d;
  };
  router
    .handle(getDeploymentPlatform, ({ deploymentId }) => connector.status(find(deploymentId)))
    .handle(connectDeployment, async ({ deploymentId }) => {
      const d = find(deploymentId);
      await connector.connect(d, 'always');
      return connector.status(d);
    });
  if (deps.reconnect ?? true) void connector.reconnectAll();
  return {
    connect: (d) => connector.connect(d, 'always'),
    forget: (id) => connector.forget(id),
    agentVersions: async (d) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Record<string, never>>((resolve) => (timer = setTimeout(() => resolve({}), VERSION_WAIT_MS)));
      return Promise.race([connector.agentVersions(d).catch(() => ({})), timeout]).finally(() => clearTimeout(timer));
    },
  };
}
