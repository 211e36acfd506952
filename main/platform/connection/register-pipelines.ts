import { listDownstreamRuns } from '../../../common/api/pipelines.contract.js';
import type { Router } from '../../../common/api/router.js';
import type { PlatformRegistry } from './platform-registry.js';

export function registerPipelines(router: Router, platforms: PlatformRegistry): void {
  router.handle(listDownstreamRuns, ({ id }) => platforms.withActive((client) => client.downstream(id)));
}
