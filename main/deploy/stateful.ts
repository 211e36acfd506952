// Resources that hold the lab's data. Losing one loses data, so a plan that removes or replaces
// one is gated, the stack policy forbids it, and delete keeps them unless told otherwise.
export const STATEFUL_TYPES = ['AWS::EC2::Volume', 'AWS::EFS::FileSystem', 'AWS::S3::Bucket', 'AWS::Backup::BackupVault'] as const;

export function isStateful(resourceType: string | undefined): boolean {
  return (STATEFUL_TYPES as readonly string[]).includes(resourceType ?? '');
}
