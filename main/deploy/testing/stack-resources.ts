import type { CfnObject } from '../../../common/templates/cfn-value.js';
import { isObject, resourcesOf } from '../../../common/templates/intrinsics.js';
import { resolveIntrinsics, type ResolveContext } from './cfn-resolve.js';
import type { FakeAws } from './fake-aws/server.js';

// What the fake CloudFormation's stack created, made to exist in the fake's other services, as a
// real stack's resources exist for its instances: its buckets in S3, its log groups in
// CloudWatch Logs, and its SSM parameters (the token placeholders) in Parameter Store.

export function provisionStackResources(fake: FakeAws, template: CfnObject, context: ResolveContext): void {
  for (const resource of resourcesOf(template)) {
    const id = context.physicalId(resource.id);
    if (id === undefined) continue;
    if (resource.type === 'AWS::S3::Bucket') fake.createBucket(id);
    if (resource.type === 'AWS::Logs::LogGroup') fake.instance.logs.set(id, new Map());
    if (resource.type === 'AWS::SSM::Parameter') {
      const p = resolveIntrinsics(template, context, resource.properties);
      if (!isObject(p)) continue;
      const name = String(p.Name);
      fake.instance.parameters.set(name, { name, type: String(p.Type), value: String(p.Value), version: 1 });
    }
  }
}
