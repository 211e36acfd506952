import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { agentBundleKey } from '../../templates/src/version.js';
import { applyPlan } from './apply.js';
import type { DeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { createPlan } from './plan.js';
import { findStack } from './preflight-aws.js';
import type { Timing } from './timing.js';
import type { WatchMessage } from './watch-stack.js';

export interface BootstrapResult {
  stackName: string;
  bucket: string;
  templateKey: string;
  templateUrl: string;
  /** The agent bundle's content-addressed key, and the sha256 the stack pins for the boot scripts to check. */
  bundleKey: string;
  bundleSha256: string;
  uploaded: string[];
  skipped: string[];
}

export function bootstrapStackName(stackName: string): string {
  return `${stackName}-bootstrap`;
}

function sha256(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function contentKey(prefix: string, body: Uint8Array | string, extension: string): string {
  return `${prefix}-${sha256(body).slice(0, 20)}${extension}`;
}

/** TemplateURL for an object: the S3 URL, or the path-style URL of the endpoint in use. */
export function objectUrl(bucket: string, key: string, region: string, endpoint = process.env.AWS_ENDPOINT_URL?.trim()): string {
  if (endpoint) return `${endpoint.replace(/\/+$/, '')}/${bucket}/${key}`;
  return `https://${bucket}.s3.${region}.amazonaws.com/${key}`;
}

/** The sha256 recorded on the object, '' when it has none, undefined when there is no object. */
async function storedHash(c: DeployClients, bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await c.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).Metadata?.sha256 ?? '';
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number }; name?: string }).$metadata?.httpStatusCode;
    if (status === 404 || (e as { name?: string }).name === 'NotFound') return undefined;
    throw e;
  }
}

/**
 * Creates or updates the bootstrap stack (the artifacts bucket), then uploads the platform
 * template and the agent bundle under content-hashed keys, skipping any already there.
 */
export async function bootstrap(
  c: DeployClients,
  stackName: string,
  source: { bootstrapTemplate: string; platformTemplate: string; agentBundle: () => Promise<Uint8Array>; stackVersion: string },
  timing: Timing,
  onMessage?: (m: WatchMessage) => void,
): Promise<BootstrapResult> {
  const name = bootstrapStackName(stackName);
  const plan = await createPlan(c, { stackName: name, templateBody: source.bootstrapTemplate, parameters: {}, role: 'bootstrap' }, timing);
  if (!plan.noChanges) {
    const result = await applyPlan(c, plan, { guardRails: false, onMessage }, timing);
    if (!result.ok) throw new DeployError(`The bootstrap stack ${name} ended in ${result.status}: ${result.reason ?? 'no reason given'}.`, 'Fix the cause, delete the bootstrap stack if it rolled back, and deploy again.', result.status);
  }
  const stack = (await findStack(c, name))?.stack;
  const outputs = stack?.Outputs ?? [];
  const bucket = (outputs.find((o) => o.OutputKey === 'ArtifactsBucketName') ?? outputs.find((o) => /bucket/i.test(o.OutputKey ?? '')))?.OutputValue;
  if (!bucket) throw new DeployError(`The bootstrap stack ${name} has no bucket output.`, 'Check that templates/bootstrap.yaml declares the artifacts bucket as an output.');

  // Both keys are content hashes: same bytes → nothing uploaded. The bundle's full sha256 is also
  // a stack parameter, so the user-data stub downloads exactly the bundle this deploy built and checks
  // it before unpacking (templates/src/version.ts, templates/boot/lib/bundle.sh).
  const bundle = await source.agentBundle();
  const bundleSha256 = sha256(bundle);
  const templateKey = contentKey('templates/platform', source.platformTemplate, '.json');
  const bundleKey = agentBundleKey(source.stackVersion, bundleSha256);
  const uploaded: string[] = [];
  const skipped: string[] = [];
  const objects = [
    { key: templateKey, body: source.platformTemplate, type: 'application/json' },
    { key: bundleKey, body: bundle, type: 'application/gzip' },
  ];
  for (const o of objects) {
    const hash = sha256(o.body);
    const stored = await storedHash(c, bucket, o.key);
    if (stored !== undefined && (stored === hash || o.key === templateKey)) {
      skipped.push(o.key);
      continue;
    }
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body, ContentType: o.type, Metadata: { sha256: hash } }));
    uploaded.push(o.key);
  }
  return { stackName: name, bucket, templateKey, templateUrl: objectUrl(bucket, templateKey, c.target.region), bundleKey, bundleSha256, uploaded, skipped };
}
