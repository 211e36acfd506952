// Resources that hold the lab's data. Losing one loses data, so a plan that removes or replaces
// one is gated, the stack policy forbids it, delete keeps it unless told otherwise, and the
// template must give it a DeletionPolicy and UpdateReplacePolicy from its lists.
//
// DeletionPolicy: RetainExceptOnCreate first. A first install that rolls back deletes the
// resources it made (new, so empty) instead of leaving them for the admin to clean by hand before
// a retry; every later delete keeps them. A resource that cannot be empty when a first create
// rolls back (the access-logs bucket: the load balancer writes a test object into it as soon as
// logging is on) may keep Retain, with the reason in its Metadata (RETAIN_REASON_KEY).
// UpdateReplacePolicy accepts only Delete, Retain or Snapshot (RetainExceptOnCreate is a
// DeletionPolicy value only); Snapshot only where CloudFormation supports it for that type.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
export const STATEFUL_RETENTION = {
  'AWS::EC2::Volume': { DeletionPolicy: ['RetainExceptOnCreate'], UpdateReplacePolicy: ['Snapshot', 'Retain'] },
  'AWS::EFS::FileSystem': { DeletionPolicy: ['RetainExceptOnCreate'], UpdateReplacePolicy: ['Retain'] },
  'AWS::S3::Bucket': { DeletionPolicy: ['RetainExceptOnCreate', 'Retain'], UpdateReplacePolicy: ['Retain'] },
  'AWS::ECR::Repository': { DeletionPolicy: ['RetainExceptOnCreate'], UpdateReplacePolicy: ['Retain'] },
  'AWS::Backup::BackupVault': { DeletionPolicy: ['RetainExceptOnCreate'], UpdateReplacePolicy: ['Retain'] },
} as const satisfies Record<string, RetentionPolicies>;

export interface RetentionPolicies {
  /** The first value is the one to use; any other needs a reason under RETAIN_REASON_KEY. */
  DeletionPolicy: readonly string[];
  UpdateReplacePolicy: readonly string[];
}

/** Metadata.Benchtop key saying why a stateful resource keeps a DeletionPolicy other than the first. */
export const RETAIN_REASON_KEY = 'RetainAfterFailedCreate';

export type StatefulType = keyof typeof STATEFUL_RETENTION;

export const STATEFUL_TYPES = Object.keys(STATEFUL_RETENTION) as StatefulType[];

export function isStateful(resourceType: string | undefined): resourceType is StatefulType {
  return resourceType !== undefined && Object.hasOwn(STATEFUL_RETENTION, resourceType);
}

/** The retention policies a stateful type may carry; undefined for a type that holds no data. */
export function allowedRetention(resourceType: string): RetentionPolicies | undefined {
  return isStateful(resourceType) ? STATEFUL_RETENTION[resourceType] : undefined;
}
