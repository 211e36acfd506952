import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { VaultRestore } from '../../common/api/backups.contract.js';
import { errorText } from '../../lib/aws/error-meaning.js';
import { sleep } from '../../lib/retry.js';
import type { DeployClients } from '../deploy/deploy-clients.js';
import { deadline, type Timing } from '../deploy/timing.js';
import { physicalId } from './aws-vault.js';
import { renameReplacedVolume } from './kept-volume.js';

/**
 * Waits for the stack to settle after a restore was applied, then renames the volume it replaced.
 * Only a stack that reached UPDATE_COMPLETE on another data volume counts: a rollback leaves the
 * platform on the old volume, which then keeps its name.
 */
export async function followRestore(
  c: Pick<DeployClients, 'cfn' | 'ec2'>,
  stackName: string,
  restore: VaultRestore,
  timing: Timing,
  /** The stack's LastUpdatedTime before the apply. */
  before: string | null,
): Promise<VaultRestore> {
  const { volumeId, name } = restore.replaced;
  const expired = deadline(timing);
  // The status may still read UPDATE_COMPLETE from before the apply for a moment: only a final
  // status seen after an in-progress one, or from a later update, ends the wait.
  let sawProgress = false;
  for (;;) {
    const stack = (await c.cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (status.endsWith('_IN_PROGRESS')) sawProgress = true;
    else if (sawProgress || (stack?.LastUpdatedTime?.toISOString() ?? null) !== before) {
      const current = await physicalId(c.cfn, stackName, 'DataVolume');
      if (status === 'UPDATE_COMPLETE' && current && current !== volumeId) {
        try {
          await renameReplacedVolume(c.ec2, volumeId, name, current);
        } catch (e) {
          return { ...restore, state: 'failed', newVolumeId: current, message: `The platform runs on ${current}, restored; ${volumeId} is kept but could not be renamed (${errorText(e)}). It still costs money until you delete it: ${restore.replaced.deleteCommand}` };
        }
        return { ...restore, state: 'kept', newVolumeId: current, message: `Restored: the platform runs on ${current}. ${volumeId} is kept as ${name}; it still costs money until you delete it: ${restore.replaced.deleteCommand}` };
      }
      return { ...restore, state: 'failed', newVolumeId: null, message: `The restore did not complete (the stack is ${status}); the platform stays on ${volumeId}, which keeps its name. See the Deployment page for the events.` };
    }
    if (expired()) return { ...restore, state: 'failed', newVolumeId: null, message: `The stack had not settled after the restore when the app stopped waiting (it is ${status}); ${volumeId} was not renamed. Check the Deployment page.` };
    await sleep(timing.pollMs, timing.signal);
  }
}
