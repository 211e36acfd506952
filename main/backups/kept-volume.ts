import { CreateTagsCommand, DescribeVolumesCommand, type EC2Client, type Volume } from '@aws-sdk/client-ec2';
import type { EarlierStackVolume, KeptVolume } from '../../common/api/backups.contract.js';
import { PRICES } from '../../common/cost/price-table.js';
import { otherStackOf, stackDataVolumeFilters } from '../deploy/data-cleanup.js';

/** Tag on a data volume a restore replaced; its value is the volume that replaced it. */
export const REPLACED_BY_RESTORE_TAG = 'benchtop:replaced-by-restore';

/** The name a replaced data volume gets: `benchtop-<stack>-data-before-restore-<UTC date>`. */
export function keptVolumeName(stackName: string, at: number): string {
  return `benchtop-${stackName}-data-before-restore-${new Date(at).toISOString().slice(0, 10)}`;
}

/** What a detached gp3 volume costs a month in the region (the shipped price table; us-east-1's where the region is not in it). */
export function monthlyVolumeCost(region: string, sizeGiB: number | null): number | null {
  const prices = PRICES[region] ?? PRICES['us-east-1'];
  if (sizeGiB === null || !prices) return null;
  return Math.round(sizeGiB * prices.ebsGp3GbMonth * 100) / 100;
}

/** The AWS CLI command that deletes the volume, with the profile the app reached it by: the default profile may be another account. */
export function deleteVolumeCommand(volumeId: string, region: string, profile?: string): string {
  return `aws ec2 delete-volume --volume-id ${volumeId} --region ${region}${profile ? ` --profile ${profile}` : ''}`;
}

/** The sentences the restore plan and the Backups page show about the volume a restore keeps. */
export function keptVolumeText(v: { volumeId: string; name: string; monthlyCostUsd: number | null; deleteCommand: string }): string {
  const cost = v.monthlyCostUsd === null ? 'It still costs money' : `It still costs about $${v.monthlyCostUsd.toFixed(2)} a month`;
  return (
    `The current data volume ${v.volumeId} is kept, not deleted: once the restore succeeds it is renamed ${v.name} and tagged ${REPLACED_BY_RESTORE_TAG}. ` +
    `${cost} until you delete it, in the EC2 console (Volumes) or with: ${v.deleteCommand}`
  );
}

const tag = (v: Volume, key: string) => v.Tags?.find((t) => t.Key === key)?.Value ?? null;

/** Size of one volume in GiB; null when EC2 does not know it (already deleted). */
export async function volumeSize(ec2: EC2Client, volumeId: string): Promise<number | null> {
  try {
    return (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes?.[0]?.Size ?? null;
  } catch {
    return null;
  }
}

/** Gives the replaced volume its new name and says which volume replaced it. */
export async function renameReplacedVolume(ec2: EC2Client, volumeId: string, name: string, replacedBy: string): Promise<void> {
  await ec2.send(
    new CreateTagsCommand({
      Resources: [volumeId],
      Tags: [
        { Key: 'Name', Value: name },
        { Key: REPLACED_BY_RESTORE_TAG, Value: replacedBy },
      ],
    }),
  );
}

/** What the Backups page lists of a stack's data volumes not in use. */
export interface StackVolumesNotInUse {
  kept: KeptVolume[];
  /** Tagged with the stack's name by an earlier, deleted stack of that name: not this stack's, listed apart. */
  earlierStack: EarlierStackVolume[];
}

/**
 * The stack's data volumes other than the one in use: kept by earlier restores (renamed), or left
 * by one whose rename did not happen (the app closed mid-way), which still carry the stack's tags.
 * A volume whose CloudFormation stack id is another's was kept by an earlier stack of the same
 * name (delete with data leaves it too, `otherStackOf`): it goes in `earlierStack`, not `kept`.
 */
export async function listKeptVolumes(
  ec2: EC2Client,
  stack: { name: string; id?: string },
  currentVolumeId: string | null,
  region: string,
  profile?: string,
): Promise<StackVolumesNotInUse> {
  const volumes: Volume[] = [];
  let NextToken: string | undefined;
  // Each restore keeps one volume; the bound only stops a misbehaving paginator.
  for (let page = 0; page < 20; page++) {
    const out = await ec2.send(new DescribeVolumesCommand({ Filters: stackDataVolumeFilters(stack.name), MaxResults: 100, ...(NextToken ? { NextToken } : {}) }));
    volumes.push(...(out.Volumes ?? []));
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  const earlierStack: EarlierStackVolume[] = [];
  const kept: KeptVolume[] = [];
  for (const v of volumes) {
    if (!v.VolumeId || v.VolumeId === currentVolumeId) continue;
    const other = otherStackOf(v.Tags, stack.id);
    if (other) {
      earlierStack.push({ volumeId: v.VolumeId, stackId: other });
      continue;
    }
    const sizeGiB = v.Size ?? null;
    kept.push({
      volumeId: v.VolumeId,
      name: tag(v, 'Name'),
      replacedBy: tag(v, REPLACED_BY_RESTORE_TAG),
      state: v.State ?? 'unknown',
      sizeGiB,
      createdAt: v.CreateTime ? v.CreateTime.toISOString() : null,
      monthlyCostUsd: monthlyVolumeCost(region, sizeGiB),
      deleteCommand: deleteVolumeCommand(v.VolumeId, region, profile),
    });
  }
  kept.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  earlierStack.sort((a, b) => a.volumeId.localeCompare(b.volumeId));
  return { kept, earlierStack };
}
