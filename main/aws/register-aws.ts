import { getIdentity, listProfiles } from '../../common/api/aws.contract.js';
import type { Router } from '../../common/api/router.js';
import { getCallerIdentity } from './identity.js';
import { mapAwsError } from '../../lib/aws/map-aws-error.js';
import { listAwsProfiles } from './profiles.js';

export function registerAws(router: Router, deps: { env: NodeJS.ProcessEnv }): void {
  router
    .mapErrors((error) => mapAwsError(error, deps.env))
    .handle(listProfiles, () => listAwsProfiles(deps.env))
    .handle(getIdentity, ({ profile, region }) => getCallerIdentity({ region, ...(profile ? { profile } : {}) }, deps.env));
}
