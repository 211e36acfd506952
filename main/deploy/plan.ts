import {
  type Change,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetOutput,
  GetTemplateCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { errorText, meansNoChanges } from '../../lib/aws/error-meaning.js';
import type { CfnObject as CfnTemplate } from '../../templates/src/cfn-yaml.js';
import { parseTemplate } from '../../templates/src/load-template.js';
import type { DeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { renderDiff, type ResourceChange, summarizeChanges } from './plan-diff.js';
import { findStack } from './preflight-aws.js';
import type { TemplateParameters } from '../../common/deploy/platform-parameters.js';
import { BENCHTOP_TAG } from './stack-tags.js';
import { resolveImages } from './machine-images.js';
import { effectiveParameters, summarizePlan } from './plan-summary.js';
import type { PlanSummary } from '../../common/deploy/plan-summary.js';
import { STACK_VERSION_OUTPUT } from '../../common/deploy/platform-parameters.js';
import { sectionOf } from '../../common/templates/intrinsics.js';
import { sleep } from '../../lib/retry.js';
import { deadline, type Timing } from './timing.js';

export interface PlanInput {
  stackName: string;
  /** Where the uploaded template is (bootstrap bucket); or the body for small templates. */
  templateUrl?: string;
  templateBody?: string;
  /** The template as parsed, for the diff and for which parameters keep their previous value. */
  template?: CfnTemplate;
  parameters: TemplateParameters;
  /** Value of the benchtop tag: "platform" or "bootstrap". */
  role: string;
  /** Resolve the latest machine images even where the stack has some (replaces instances). */
  updateImages?: boolean;
}

export interface Plan {
  stackName: string;
  type: 'CREATE' | 'UPDATE';
  /** Absent when there is nothing to apply. */
  changeSetName?: string;
  changeSetId?: string;
  noChanges: boolean;
  changes: ResourceChange[];
  /** Changes that remove or replace a data resource: apply needs the stack name typed to confirm. */
  dataRisks: ResourceChange[];
  diff: string;
  /** The plan in words (areas, highlights, cost); absent for a plan re-read to apply it. */
  summary?: PlanSummary;
}

function parametersFor(input: PlanInput, type: 'CREATE' | 'UPDATE', previous: string[]): Parameter[] {
  const given = Object.entries(input.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
  if (type === 'CREATE') return given;
  // On an update, a parameter left out would silently fall back to its default; keep the
  // deployed value instead, as long as the new template still declares it.
  const declared = input.template ? Object.keys((input.template.Parameters as object | undefined) ?? {}) : previous;
  const kept = previous.filter((k) => !(k in input.parameters) && declared.includes(k)).map((ParameterKey) => ({ ParameterKey, UsePreviousValue: true }));
  return [...given, ...kept];
}

async function describeAll(c: DeployClients, stackName: string, changeSetName: string): Promise<{ first: DescribeChangeSetOutput; changes: Change[] }> {
  let token: string | undefined;
  let first: DescribeChangeSetOutput | undefined;
  const changes: Change[] = [];
  for (let page = 0; page < 100; page++) {
    const out = await c.cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName, NextToken: token }));
    first ??= out;
    changes.push(...(out.Changes ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  return { first: { ...first!, Changes: changes }, changes };
}

async function oldTemplate(c: DeployClients, stackName: string): Promise<CfnTemplate | undefined> {
  try {
    const out = await c.cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
    return out.TemplateBody ? parseTemplate(out.TemplateBody) : undefined;
  } catch {
    return undefined;
  }
}

/** Creates a change set and waits for it; "no changes" (either form) is a normal answer. */
export async function createPlan(c: DeployClients, input: PlanInput, timing: Timing): Promise<Plan> {
  const existing = await findStack(c, input.stackName);
  if (existing?.status === 'ROLLBACK_COMPLETE') {
    throw new DeployError(`Stack ${input.stackName} is in ROLLBACK_COMPLETE after a failed install and cannot be updated.`, `Delete it (benchtop delete --stack ${input.stackName}) and install again.`, existing.status);
  }
  const type = !existing || existing.status === 'REVIEW_IN_PROGRESS' || existing.status === 'DELETE_COMPLETE' ? 'CREATE' : 'UPDATE';
  const previous = (existing?.stack.Parameters ?? []).map((p) => p.ParameterKey!).filter(Boolean);
  // DescribeStacks lists every declared parameter; a parameter this template adds takes its default.
  const deployedParams = type === 'UPDATE' && input.template ? effectiveParameters(input.template, deployedValues(existing?.stack.Parameters)) : undefined;
  const images = input.template && input.role === 'platform'
    ? await resolveImages(c.ssm, input.template, { ...(type === 'UPDATE' && existing ? { previous: existing.stack.Parameters ?? [] } : {}), update: Boolean(input.updateImages), parameters: input.parameters })
    : undefined;
  const parameters = { ...input.parameters, ...images?.values };
  const summarize = (changes: ResourceChange[]): PlanSummary | undefined => {
    if (!input.template || !images || !sectionOf(sectionOf(input.template, 'Metadata'), 'Benchtop').Plan) return undefined;
    const after = effectiveParameters(input.template, { ...(deployedParams ?? {}), ...parameters });
    const from = existing?.stack.Outputs?.find((o) => o.OutputKey === STACK_VERSION_OUTPUT)?.OutputValue;
    const to = sectionOf(sectionOf(input.template, 'Metadata'), 'Benchtop').StackVersion;
    return summarizePlan({
      template: input.template,
      stackName: input.stackName,
      region: c.target.region,
      type,
      changes,
      parameters: after,
      ...(deployedParams ? { previous: deployedParams } : {}),
      version: { ...(from ? { from } : {}), to: typeof to === 'string' ? to : 'unknown' },
      images: images.summary,
    });
  };
  const changeSetName = `benchtop-${Date.now()}`;
  const quiet = summarize([]);
  const noChanges: Plan = { stackName: input.stackName, type, noChanges: true, changes: [], dataRisks: [], diff: 'No changes: the stack already matches.', ...(quiet ? { summary: quiet } : {}) };
  try {
    await c.cfn.send(
      new CreateChangeSetCommand({
        StackName: input.stackName,
        ChangeSetName: changeSetName,
        ChangeSetType: type,
        ...(input.templateUrl ? { TemplateURL: input.templateUrl } : { TemplateBody: input.templateBody }),
        Parameters: parametersFor({ ...input, parameters }, type, previous),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        // The SDK retries a timed-out call; the token makes that retry create nothing twice.
        ClientToken: changeSetName,
        Tags: [{ Key: BENCHTOP_TAG, Value: input.role }],
        Description: `Benchtop ${type === 'CREATE' ? 'install' : 'upgrade'}`,
      }),
    );
  } catch (e) {
    if (meansNoChanges(errorText(e))) return noChanges;
    throw e;
  }

  const expired = deadline(timing);
  for (;;) {
    const out = await c.cfn.send(new DescribeChangeSetCommand({ StackName: input.stackName, ChangeSetName: changeSetName }));
    const status = out.Status ?? 'UNKNOWN';
    if (status === 'FAILED') {
      await c.cfn.send(new DeleteChangeSetCommand({ StackName: input.stackName, ChangeSetName: changeSetName })).catch(() => undefined);
      if (meansNoChanges(out.StatusReason)) return noChanges;
      throw new DeployError(`The change set for ${input.stackName} failed: ${out.StatusReason ?? 'no reason given'}`, 'Fix the parameter or template named in the reason and plan again.', status);
    }
    if (status === 'CREATE_COMPLETE') break;
    if (status === 'DELETE_COMPLETE' || status === 'DELETE_FAILED') throw new DeployError(`The change set for ${input.stackName} was deleted while it was being created.`, 'Plan again.');
    if (expired()) throw new DeployError(`The change set for ${input.stackName} was still ${status} when the wait ran out.`, 'Look at it in the CloudFormation console, then plan again.');
    await sleep(timing.pollMs, timing.signal);
  }

  const { first, changes: raw } = await describeAll(c, input.stackName, changeSetName);
  const changes = summarizeChanges(raw);
  if (changes.length === 0 && type === 'UPDATE') {
    await c.cfn.send(new DeleteChangeSetCommand({ StackName: input.stackName, ChangeSetName: changeSetName })).catch(() => undefined);
    return noChanges;
  }
  // A new stack's diff is every resource added: the change set's own list reads better than a
  // template diff of the whole file (which repeats each IAM statement in a table).
  const before = type === 'UPDATE' ? await oldTemplate(c, input.stackName) : undefined;
  const diff = renderDiff(changes, before && input.template ? { old: before, new: input.template } : undefined, first);
  const summary = summarize(changes);
  return {
    stackName: input.stackName,
    type,
    changeSetName,
    ...(first.ChangeSetId ? { changeSetId: first.ChangeSetId } : {}),
    noChanges: false,
    changes,
    dataRisks: changes.filter((ch) => ch.destroysData),
    diff,
    ...(summary ? { summary } : {}),
  };
}

/** The deployed stack's parameter values (an SSM-typed one as the value it resolved to). */
function deployedValues(parameters: Parameter[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parameters ?? []) if (p.ParameterKey) out[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue ?? '';
  return out;
}

/** Re-reads a plan from its change set, so an apply checks the data gate against what AWS holds. */
export async function loadPlan(c: DeployClients, stackName: string, changeSetName: string): Promise<Plan> {
  const { first, changes: raw } = await describeAll(c, stackName, changeSetName);
  if (first.Status !== 'CREATE_COMPLETE' || (first.ExecutionStatus && first.ExecutionStatus !== 'AVAILABLE')) {
    throw new DeployError(`Change set ${changeSetName} of ${stackName} cannot be applied (it is ${first.Status}/${first.ExecutionStatus}).`, 'Plan again.');
  }
  const changes = summarizeChanges(raw);
  const existing = await findStack(c, stackName);
  return {
    stackName,
    type: !existing || existing.status === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE',
    changeSetName,
    ...(first.ChangeSetId ? { changeSetId: first.ChangeSetId } : {}),
    noChanges: false,
    changes,
    dataRisks: changes.filter((ch) => ch.destroysData),
    diff: renderDiff(changes),
  };
}
