import path from 'node:path';
import type { Router } from '../../../common/api/router.js';
import type { SecretStore } from '../../settings/secret-store.js';
import { FinishedRunsWatcher } from './finished-runs.js';
import { type LocalPlatform, PlatformRegistry } from './platform-registry.js';
import { PlatformsFile } from './platforms-file.js';
import { registerCapsules } from './register-capsules.js';
import { registerPlatforms } from './register-platforms.js';
import { registerRuns } from './register-runs.js';
import { registerUsers } from './register-users.js';
import { registerDatasets } from './register-datasets.js';
import { registerPipelines } from './register-pipelines.js';
import type { InviteLinkInbox } from './invite-link-inbox.js';

export interface ResearcherDeps {
  dataDir: string;
  secrets: SecretStore;
  /** The local sandbox the shell started (or is starting), if any. */
  localPlatform?: LocalPlatform | Promise<LocalPlatform>;
  /** Invite links the desktop was opened with; absent in browser mode (the OS cannot open a tab's page). */
  inviteLinks?: InviteLinkInbox;
}

/** The researcher plane: platforms, capsules and runs over the active platform, one registry shared by the three. */
export function registerResearcher(router: Router, deps: ResearcherDeps): PlatformRegistry {
  const registry = new PlatformRegistry({
    file: new PlatformsFile(path.join(deps.dataDir, 'platforms.json')),
    secrets: deps.secrets,
    ...(deps.localPlatform ? { local: deps.localPlatform } : {}),
  });
  registerPlatforms(router, registry);
  registerCapsules(router, registry);
  registerRuns(router, registry, new FinishedRunsWatcher());
  registerUsers(router, registry, deps.inviteLinks);
  registerDatasets(router, registry, deps.dataDir);
  registerPipelines(router, registry);
  return registry;
}
