import { addPlatform, listPlatforms, platformStatus, removePlatform, setActivePlatform } from '../../../common/api/platforms.contract.js';
import type { Router } from '../../../common/api/router.js';
import type { PlatformRegistry } from './platform-registry.js';

export function registerPlatforms(router: Router, platforms: PlatformRegistry): void {
  router
    .handle(listPlatforms, () => ({ platforms: platforms.list(), activeId: platforms.activeId() }))
    .handle(addPlatform, (input) => platforms.add(input))
    .handle(removePlatform, ({ id }) => platforms.remove(id))
    .handle(setActivePlatform, ({ id }) => platforms.setActive(id))
    .handle(platformStatus, () => platforms.status());
}
