import type { CfnObject } from './cfn-value.js';

// The AWS managed policies the platform template attaches, with their statements, so the security
// rules judge what a role may really do instead of trusting a name. Copied from each policy's
// default version as the AWS Managed Policy Reference (`source`) publishes it, on AS_OF; AWS
// revises these policies (`version`, `updated`), so refresh this table when the template attaches
// another one or a rule's verdict depends on a newer version. A policy missing here fails the
// rules that need its statements: they cannot see through it.

export const MANAGED_POLICIES_AS_OF = '2026-03-07';

export interface ManagedPolicy {
  version: string;
  updated: string;
  source: string;
  statements: CfnObject[];
}

/** Keyed by the ARN's path after `policy/`, e.g. `service-role/AWSBackupServiceRolePolicyForBackup`. */
export const AWS_MANAGED_POLICIES: Record<string, ManagedPolicy> = {
  AmazonSSMManagedInstanceCore: {
    version: 'v2',
    updated: '2019-05-23',
    source: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html',
    statements: [
      {"Action": ["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"], "Resource": "*", "Effect": "Allow"},
      {"Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], "Resource": "*", "Effect": "Allow"},
      {"Action": ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"], "Resource": "*", "Effect": "Allow"},
    ],
  },
  'service-role/AWSBackupServiceRolePolicyForBackup': {
    version: 'v30',
    updated: '2026-02-23',
    source: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSBackupServiceRolePolicyForBackup.html',
    statements: [
      {"Action": ["dynamodb:DescribeTable", "dynamodb:CreateBackup"], "Resource": "arn:aws:dynamodb:*:*:table/*", "Effect": "Allow", "Sid": "DynamoDBPermissions"},
      {"Action": ["dynamodb:DescribeBackup", "dynamodb:DeleteBackup"], "Resource": "arn:aws:dynamodb:*:*:table/*/backup/*", "Effect": "Allow", "Sid": "DynamoDBBackupResourcePermissions"},
      {"Action": ["rds:AddTagsToResource", "rds:ListTagsForResource", "rds:DescribeDBSnapshots", "rds:CreateDBSnapshot", "rds:CopyDBSnapshot", "rds:DescribeDBInstances", "rds:CreateDBClusterSnapshot", "rds:DescribeDBClusters", "rds:DescribeDBClusterSnapshots", "rds:CopyDBClusterSnapshot", "rds:DescribeDBClusterAutomatedBackups"], "Resource": "*", "Effect": "Allow", "Sid": "DynamoDBBackupPermissions"},
      {"Action": "rds:DeleteDBInstanceAutomatedBackup", "Resource": "arn:aws:rds:*:*:auto-backup:*", "Effect": "Allow", "Sid": "RDSInstanceAutomatedBackupPermissions"},
      {"Action": ["rds:ModifyDBCluster"], "Resource": ["arn:aws:rds:*:*:cluster:*"], "Effect": "Allow", "Sid": "RDSClusterPermissions"},
      {"Action": "rds:DeleteDBClusterAutomatedBackup", "Resource": "arn:aws:rds:*:*:cluster-auto-backup:*", "Effect": "Allow", "Sid": "RDSClusterBackupPermissions"},
      {"Action": ["rds:ModifyDBInstance"], "Resource": ["arn:aws:rds:*:*:db:*"], "Effect": "Allow", "Sid": "RDSModifyPermissions"},
      {"Action": ["rds:DeleteDBSnapshot", "rds:ModifyDBSnapshotAttribute"], "Resource": ["arn:aws:rds:*:*:snapshot:awsbackup:*"], "Effect": "Allow", "Sid": "RDSBackupPermissions"},
      {"Action": ["rds:DeleteDBClusterSnapshot", "rds:ModifyDBClusterSnapshotAttribute"], "Resource": ["arn:aws:rds:*:*:cluster-snapshot:awsbackup:*"], "Effect": "Allow", "Sid": "RDSClusterModifyPermissions"},
      {"Action": ["storagegateway:CreateSnapshot", "storagegateway:ListTagsForResource"], "Resource": "arn:aws:storagegateway:*:*:gateway/*/volume/*", "Effect": "Allow", "Sid": "StorageGatewayPermissions"},
      {"Action": ["ec2:CopySnapshot"], "Resource": "arn:aws:ec2:*::snapshot/*", "Effect": "Allow", "Sid": "EBSCopyPermissions"},
      {"Action": ["ec2:CopyImage"], "Resource": "*", "Effect": "Allow", "Sid": "EC2CopyPermissions"},
      {"Action": ["ec2:CreateTags", "ec2:DeleteSnapshot"], "Resource": "arn:aws:ec2:*::snapshot/*", "Effect": "Allow", "Sid": "EBSTagAndDeletePermissions"},
      {"Action": ["ec2:CreateImage", "ec2:DeregisterImage", "ec2:DescribeSnapshots", "ec2:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceCreditSpecifications", "ec2:DescribeNetworkInterfaces", "ec2:DescribeElasticGpus", "ec2:DescribeSpotInstanceRequests", "ec2:DescribeSnapshotTierStatus"], "Resource": "*", "Effect": "Allow", "Sid": "EC2Permissions"},
      {"Action": ["ec2:CreateTags"], "Resource": "arn:aws:ec2:*:*:image/*", "Effect": "Allow", "Sid": "EC2TagPermissions"},
      {"Action": ["ec2:ModifySnapshotAttribute", "ec2:ModifyImageAttribute"], "Resource": "*", "Effect": "Allow", "Condition": {"Null": {"aws:ResourceTag/aws:backup:source-resource": "false"}}, "Sid": "EC2ModifyPermissions"},
      {"Action": ["ec2:ModifySnapshotTier"], "Resource": "arn:aws:ec2:*::snapshot/*", "Effect": "Allow", "Condition": {"Null": {"aws:ResourceTag/aws:backup:source-resource": "false"}}, "Sid": "EBSSnapshotTierPermissions"},
      {"Action": ["backup:DescribeBackupVault", "backup:CopyIntoBackupVault"], "Resource": "arn:aws:backup:*:*:backup-vault:*", "Effect": "Allow", "Sid": "BackupVaultPermissions"},
      {"Action": ["backup:CopyFromBackupVault"], "Resource": "*", "Effect": "Allow", "Sid": "BackupVaultCopyPermissions"},
      {"Action": ["elasticfilesystem:Backup", "elasticfilesystem:DescribeTags"], "Resource": "arn:aws:elasticfilesystem:*:*:file-system/*", "Effect": "Allow", "Sid": "EFSPermissions"},
      {"Action": ["ec2:CreateSnapshot", "ec2:DeleteSnapshot", "ec2:DescribeVolumes", "ec2:DescribeSnapshots"], "Resource": "*", "Effect": "Allow", "Sid": "EBSResourcePermissions"},
      {"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Effect": "Allow", "Condition": {"StringLike": {"kms:ViaService": ["dynamodb.*.amazonaws.com"]}}, "Sid": "KMSDynamoDBPermissions"},
      {"Action": "kms:DescribeKey", "Resource": "*", "Effect": "Allow", "Sid": "KMSPermissions"},
      {"Action": "kms:CreateGrant", "Resource": "*", "Effect": "Allow", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}, "Sid": "KMSCreateGrantPermissions"},
      {"Action": ["kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptTo", "kms:ReEncryptFrom"], "Resource": "arn:aws:kms:*:*:key/*", "Effect": "Allow", "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "aws:ebs:id"}, "StringLike": {"kms:ViaService": ["ec2.*.amazonaws.com"]}}, "Sid": "KMSEC2Permissions"},
      {"Action": ["tag:GetResources"], "Resource": "*", "Effect": "Allow", "Sid": "GetResourcesPermissions"},
      {"Action": ["ssm:CancelCommand", "ssm:GetCommandInvocation"], "Resource": "*", "Effect": "Allow", "Sid": "SSMPermissions"},
      {"Action": "ssm:SendCommand", "Resource": ["arn:aws:ssm:*:*:document/AWSEC2-CreateVssSnapshot", "arn:aws:ec2:*:*:instance/*"], "Effect": "Allow", "Sid": "SSMSendPermissions"},
      {"Action": "fsx:DescribeBackups", "Resource": "arn:aws:fsx:*:*:backup/*", "Effect": "Allow", "Sid": "FsxBackupPermissions"},
      {"Action": "fsx:CreateBackup", "Resource": ["arn:aws:fsx:*:*:file-system/*", "arn:aws:fsx:*:*:backup/*", "arn:aws:fsx:*:*:volume/*"], "Effect": "Allow", "Sid": "FsxCreateBackupPermissions"},
      {"Action": "fsx:DescribeFileSystems", "Resource": "arn:aws:fsx:*:*:file-system/*", "Effect": "Allow", "Sid": "FsxPermissions"},
      {"Action": "fsx:DescribeVolumes", "Resource": "arn:aws:fsx:*:*:volume/*", "Effect": "Allow", "Sid": "FsxVolumePermissions"},
      {"Action": "fsx:ListTagsForResource", "Resource": ["arn:aws:fsx:*:*:file-system/*", "arn:aws:fsx:*:*:volume/*"], "Effect": "Allow", "Sid": "FsxListTagsPermissions"},
      {"Action": "fsx:DeleteBackup", "Resource": "arn:aws:fsx:*:*:backup/*", "Effect": "Allow", "Sid": "FsxDeletePermissions"},
      {"Action": ["fsx:ListTagsForResource", "fsx:ManageBackupPrincipalAssociations", "fsx:CopyBackup", "fsx:TagResource"], "Resource": "arn:aws:fsx:*:*:backup/*", "Effect": "Allow", "Sid": "FsxResourcePermissions"},
      {"Action": ["dynamodb:StartAwsBackupJob", "dynamodb:ListTagsOfResource"], "Resource": "arn:aws:dynamodb:*:*:table/*", "Effect": "Allow", "Sid": "DynamodbBackupPermissions"},
      {"Action": ["backup-gateway:Backup", "backup-gateway:ListTagsForResource"], "Resource": "arn:aws:backup-gateway:*:*:vm/*", "Effect": "Allow", "Sid": "BackupGatewayBackupPermissions"},
      {"Action": ["cloudformation:ListStacks", "cloudformation:GetTemplate", "cloudformation:DescribeStacks", "cloudformation:ListStackResources"], "Resource": "arn:aws:cloudformation:*:*:stack/*/*", "Effect": "Allow", "Sid": "CloudformationStackPermissions"},
      {"Action": ["redshift:CreateClusterSnapshot", "redshift:DescribeClusterSnapshots", "redshift:DescribeTags"], "Resource": ["arn:aws:redshift:*:*:snapshot:*/*", "arn:aws:redshift:*:*:cluster:*"], "Effect": "Allow", "Sid": "RedshiftCreatePermissions"},
      {"Action": ["redshift:DeleteClusterSnapshot"], "Resource": ["arn:aws:redshift:*:*:snapshot:*/*"], "Effect": "Allow", "Sid": "RedshiftSnapshotPermissions"},
      {"Action": ["redshift:DescribeClusters"], "Resource": ["arn:aws:redshift:*:*:cluster:*"], "Effect": "Allow", "Sid": "RedshiftPermissions"},
      {"Action": ["redshift:CreateTags"], "Resource": ["arn:aws:redshift:*:*:snapshot:*/*"], "Effect": "Allow", "Sid": "RedshiftResourcePermissions"},
      {"Action": ["redshift-serverless:CreateSnapshot"], "Resource": ["arn:aws:redshift-serverless:*:*:snapshot/*", "arn:aws:redshift-serverless:*:*:namespace/*"], "Effect": "Allow", "Sid": "RedshiftServerlessCreatePermissions"},
      {"Action": ["redshift-serverless:DeleteSnapshot"], "Resource": ["arn:aws:redshift-serverless:*:*:snapshot/*"], "Effect": "Allow", "Condition": {"Null": {"aws:ResourceTag/aws:backup:source-resource": "false"}}, "Sid": "RedshiftServerlessSnapshotPermissions"},
      {"Action": ["redshift-serverless:GetNamespace"], "Resource": ["arn:aws:redshift-serverless:*:*:namespace/*"], "Effect": "Allow", "Sid": "RedshiftServerlessGetPermissions"},
      {"Action": ["redshift-serverless:GetSnapshot", "redshift-serverless:TagResource"], "Resource": ["arn:aws:redshift-serverless:*:*:snapshot/*"], "Effect": "Allow", "Sid": "RedshiftServerlessResourcePermissions"},
      {"Action": ["redshift-serverless:ListNamespaces", "redshift-serverless:ListSnapshots", "redshift-serverless:ListTagsForResource"], "Resource": ["*"], "Effect": "Allow", "Sid": "RedshiftServerlessListPermissions"},
      {"Action": ["timestream:StartAwsBackupJob", "timestream:GetAwsBackupStatus", "timestream:ListTables", "timestream:ListDatabases", "timestream:ListTagsForResource", "timestream:DescribeTable", "timestream:DescribeDatabase"], "Resource": ["arn:aws:timestream:*:*:database/*"], "Effect": "Allow", "Sid": "TimestreamResourcePermissions"},
      {"Action": ["timestream:DescribeEndpoints"], "Resource": "*", "Effect": "Allow", "Sid": "TimestreamEndpointPermissions"},
      {"Action": ["ssm-sap:GetOperation", "ssm-sap:ListDatabases"], "Resource": "*", "Effect": "Allow", "Sid": "SSMSAPPermissions"},
      {"Action": ["ssm-sap:BackupDatabase", "ssm-sap:UpdateHanaBackupSettings", "ssm-sap:GetDatabase", "ssm-sap:ListTagsForResource"], "Resource": "arn:aws:ssm-sap:*:*:*", "Effect": "Allow", "Sid": "SSMSAPResourcePermissions"},
      {"Action": ["backup:TagResource"], "Resource": "arn:aws:backup:*:*:recovery-point:*", "Effect": "Allow", "Condition": {"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}}, "Sid": "RecoveryPointTaggingPermissions"},
      {"Action": ["dsql:StartBackupJob", "dsql:GetBackupJob", "dsql:StopBackupJob", "dsql:GetCluster", "dsql:ListClusters", "dsql:ListTagsForResource"], "Resource": ["*"], "Effect": "Allow", "Sid": "DSQLResourcePermissionsForBackup"},
      {"Action": ["kms:Decrypt"], "Resource": "*", "Effect": "Allow", "Condition": {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "aws:dsql:ClusterId"}, "StringLike": {"kms:ViaService": ["dsql.*.amazonaws.com"]}}, "Sid": "KMSDSQLPermissions"},
      {"Action": ["eks:ListClusters", "eks:ListTagsForResource", "eks:DescribeCluster", "eks:ListAddons", "eks:DescribeAddon", "eks:ListNodegroups", "eks:DescribeNodegroup", "eks:ListPodIdentityAssociations", "eks:DescribePodIdentityAssociation", "eks:ListAccessEntries", "eks:DescribeAccessEntry", "eks:ListAssociatedAccessPolicies", "eks:ListFargateProfiles", "eks:DescribeFargateProfile", "ec2:DescribeLaunchTemplateVersions"], "Resource": "*", "Effect": "Allow", "Sid": "EKSClusterConfigurationBackup"},
      {"Action": ["eks:CreateAccessEntry"], "Resource": "arn:aws:eks:*:*:cluster/*", "Effect": "Allow", "Sid": "CreateBackupAccessEntry"},
      {"Action": ["eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"], "Resource": "arn:aws:eks:*:*:access-entry/*", "Effect": "Allow", "Condition": {"StringEquals": {"eks:policyArn": "arn:aws:eks::aws:cluster-access-policy/AWSBackupFullAccessPolicyForBackup", "eks:accessScope": "cluster"}}, "Sid": "AssociateBackupAccessPolicy"},
      {"Action": ["guardduty:StartMalwareScan", "guardduty:GetMalwareScan"], "Resource": "*", "Effect": "Allow", "Sid": "GuardDutyMalwareScanPermissions"},
      {"Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/*", "Effect": "Allow", "Condition": {"StringEquals": {"iam:PassedToService": "malware-protection.guardduty.amazonaws.com"}}, "Sid": "GuardDutyMalwareScanIAMPassPermissions"},
    ],
  },
};
