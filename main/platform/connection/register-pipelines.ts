import { getReproducibility, setReproducibility, shareCapsule } from '../../../common/api/capsule-sharing.contract.js';
import { listDownstreamRuns } from '../../../common/api/pipelines.contract.js';
import type { Router } from '../../../common/api/router.js';
import type { PlatformRegistry } from './platform-registry.js';

/** Lineage, capsule sharing and scheduled reproducibility checks over the active platform. */
export function registerPipelines(router: Router, platforms: PlatformRegistry): void {
  router
    .handle(listDownstreamRuns, ({ id }) => platforms.withActive((client) => client.downstream(id)))
    .handle(shareCapsule, ({ id, ...change }) => platforms.withActive((client) => client.shareCapsule(id, change)))
    .handle(getReproducibility, ({ id }) => platforms.withActive((client) => client.reproducibility(id)))
    .handle(setReproducibility, ({ id, ...settings }) => platforms.withActive((client) => client.setReproducibility(id, settings)));
}
