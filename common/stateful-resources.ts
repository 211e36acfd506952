// Resources that hold the lab's data. Losing one loses data, so a plan that removes or replaces
// one is gated, the stack policy forbids it, delete keeps it unless told otherwise, and the
// template must give it a DeletionPolicy and UpdateReplacePolicy from its list.
// Snapshot only where CloudFormation supports it for that type.
export const STATEFUL_RETENTION = {
  'AWS::EC2::Volume': ['Snapshot', 'Retain'],
  'AWS::EFS::FileSystem': ['Retain'],
  'AWS::S3::Bucket': ['Retain'],
  'AWS::ECR::Repository': ['Retain'],
  'AWS::Backup::BackupVault': ['Retain'],
} as const satisfies Record<string, readonly string[]>;

export type StatefulType = keyof typeof STATEFUL_RETENTION;

export const STATEFUL_TYPES = Object.keys(STATEFUL_RETENTION) as StatefulType[];

export function isStateful(resourceType: string | undefined): resourceType is StatefulType {
  return resourceType !== undefined && Object.hasOwn(STATEFUL_RETENTION, resourceType);
}

/** The retention policies a stateful type may carry; undefined for a type that holds no data. */
export function allowedRetention(resourceType: string): readonly string[] | undefined {
  return isStateful(resourceType) ? STATEFUL_RETENTION[resourceType] : undefined;
}
