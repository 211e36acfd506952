import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnObject } from '../../../common/templates/cfn-value.js';
import { isObject, resourcesOf } from '../../../common/templates/intrinsics.js';
import { resolveIntrinsics, type ResolveContext } from './cfn-resolve.js';

// EFS mounted through an access point does every file operation as the access point's POSIX user,
// whoever the client is: what root's boot creates there (the worker's scratch folder) belongs to
// that user. The mount stand-in mounts nothing, so this gives each EFS mount point of the root's
// /etc/fstab, and everything in it, to the PosixUser of the template's access point it names —
// after the boot wrote there, before the unit using it starts. A PosixUser that is not the unit's
// User= then fails the worker as it would fail on AWS.
// https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html#enforce-identity-access-points

export function applyAccessPointOwners(root: string, template: CfnObject, context: ResolveContext): string[] {
  const fstab = join(root, 'etc/fstab');
  if (!existsSync(fstab)) return [];
  const owned: string[] = [];
  for (const line of readFileSync(fstab, 'utf8').split('\n')) {
    const [, mountPoint, type, options] = line.trim().split(/\s+/);
    const accessPoint = /(?:^|,)accesspoint=([^,]+)/.exec(options ?? '')?.[1];
    if (type !== 'efs' || !mountPoint || !accessPoint) continue;
    const resource = resourcesOf(template, 'AWS::EFS::AccessPoint').find((r) => context.physicalId(r.id) === accessPoint);
    if (!resource) throw new Error(`${mountPoint} mounts ${accessPoint}, which is no access point of the stack.`);
    const posix = resolveIntrinsics(template, context, resource.properties.PosixUser ?? null);
    if (!isObject(posix)) throw new Error(`${resource.id} has no PosixUser.`);
    const chown = spawnSync('chown', ['-R', `${String(posix.Uid)}:${String(posix.Gid)}`, join(root, mountPoint)], { encoding: 'utf8' });
    if (chown.status !== 0) throw new Error(`chown of ${mountPoint} failed: ${chown.stderr}`);
    owned.push(`${mountPoint} ${String(posix.Uid)}:${String(posix.Gid)}`);
  }
  return owned;
}
