import type { ServerResponse } from 'node:http';
import type { CfnObject } from '../../../../templates/src/cfn-yaml.js';
import { materialize } from '../../../../common/templates/conditions.js';
import { checkParameterValues } from './parameter-rules.js';
import { AwsFault, type Form, formList, formStructs, queryResponse, type XmlValue } from './wire.js';

// A scripted CloudFormation: change sets computed from the templates' Resources, and operations
// that advance a few events on every poll, as a real stack does, so the engine's waiting,
// streaming and progress are exercised through the real SDK and wire protocol. As CloudFormation
// does, it refuses parameter values the template's constraints reject, and creates only the
// resources and outputs whose Condition holds for the parameters given (Fn::If branches chosen).

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const ACCOUNT = '123456789012';

type Template = { Resources?: Record<string, { Type: string; Properties?: unknown }>; Outputs?: Record<string, unknown>; Parameters?: Record<string, unknown> };

interface SimEvent {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  Timestamp: Date;
}

interface Change {
  Action: 'Add' | 'Modify' | 'Remove';
  LogicalResourceId: string;
  ResourceType: string;
  Replacement?: 'True' | 'False' | 'Conditional';
}

interface ChangeSet {
  name: string;
  id: string;
  type: 'CREATE' | 'UPDATE';
  status: string;
  reason?: string;
  polls: number;
  template: Template;
  params: Record<string, string>;
  changes: Change[];
  executed: boolean;
}

interface Step {
  events: Omit<SimEvent, 'EventId' | 'StackId' | 'StackName' | 'Timestamp'>[];
  status?: string;
  apply?: () => void;
}

export interface SimStack {
  name: string;
  id: string;
  status: string;
  reason?: string;
  created: Date;
  updated?: Date;
  template?: Template;
  params: Record<string, string>;
  tags: { Key: string; Value: string }[];
  outputs: { OutputKey: string; OutputValue: string }[];
  protection: boolean;
  policy?: string;
  events: SimEvent[];
  resources: Map<string, { type: string; physicalId: string; status: string }>;
  changeSets: Map<string, ChangeSet>;
  queue: Step[];
  deleted: boolean;
}

export interface CloudFormationOptions {
  /** Events revealed per poll; Infinity finishes an operation at the first look (as some emulators do). */
  stepsPerPoll: number;
  /** Emit only stack-level events, as some emulators do. */
  stackEventsOnly: boolean;
  /** "No changes" as a FAILED change set (AWS) or as CreateChangeSet refusing (some emulators). */
  noChanges: 'failed-change-set' | 'refuse';
  /** A resource that fails to create or update, with its reason. */
  failResource?: { logicalId: string; reason: string };
  /** Reads an uploaded template by its TemplateURL. */
  readUrl: (url: string) => Buffer | undefined;
  /** Values of outputs, given the stack; unknown outputs get a placeholder. */
  outputValue: (stack: SimStack, key: string) => string;
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${(++sequence).toString(36)}`;

export class FakeCloudFormation {
  readonly stacks: SimStack[] = [];

  constructor(readonly options: CloudFormationOptions) {}

  find(nameOrId: string): SimStack | undefined {
    return this.stacks.find((s) => s.id === nameOrId) ?? this.stacks.find((s) => s.name === nameOrId && !s.deleted);
  }

  private mustFind(nameOrId: string): SimStack {
    const s = this.find(nameOrId);
    if (!s) throw new AwsFault('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return s;
  }

  /** A stack that exists before the test starts (an installed older version, a failed install). */
  seed(name: string, status: string, template: Template, params: Record<string, string>, role = 'platform'): SimStack {
    const s = this.newStack(name, status, role);
    s.template = template;
    s.params = params;
    for (const [id, r] of Object.entries(deployed(template, params).Resources ?? {})) s.resources.set(id, { type: r.Type, physicalId: `${id.toLowerCase()}-${s.name}`, status: 'CREATE_COMPLETE' });
    s.outputs = this.outputsOf(s);
    return s;
  }

  private newStack(name: string, status: string, role: string): SimStack {
    const s: SimStack = {
      name,
      id: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/${name}/${nextId('id')}`,
      status,
      created: new Date(),
      params: {},
      tags: [{ Key: 'benchtop:role', Value: role }],
      outputs: [],
      protection: false,
      events: [],
      resources: new Map(),
      changeSets: new Map(),
      queue: [],
      deleted: false,
    };
    this.stacks.push(s);
    return s;
  }

  private outputsOf(s: SimStack): { OutputKey: string; OutputValue: string }[] {
    return Object.keys((s.template && deployed(s.template, s.params).Outputs) ?? {}).map((k) => ({ OutputKey: k, OutputValue: this.options.outputValue(s, k) }));
  }

  private record(s: SimStack, e: Step['events'][number]): void {
    s.events.push({ ...e, EventId: nextId('ev'), StackId: s.id, StackName: s.name, Timestamp: new Date() });
  }

  /** Reveals the next steps of the stack's operation: called on every read of the stack. */
  private advance(s: SimStack): void {
    const n = this.options.stepsPerPoll;
    for (let i = 0; i < n && s.queue.length; i++) {
      const step = s.queue.shift()!;
      for (const e of step.events) if (!this.options.stackEventsOnly || e.LogicalResourceId === s.name) this.record(s, e);
      if (step.status) s.status = step.status;
      step.apply?.();
    }
  }

  handle(action: string, form: Form, response: ServerResponse): void {
    const result = this.dispatch(action, form);
    queryResponse(response, action, XMLNS, result);
  }

  private dispatch(action: string, form: Form): { [key: string]: XmlValue } {
    const stackName = form.get('StackName') ?? '';
    switch (action) {
      case 'DescribeStacks': {
        const s = this.mustFind(stackName);
        this.advance(s);
        return { Stacks: [this.describe(s)] };
      }
      case 'CreateChangeSet':
        return this.createChangeSet(form);
      case 'DescribeChangeSet':
        return this.describeChangeSet(this.mustFind(stackName), form.get('ChangeSetName') ?? '', form.get('NextToken'));
      case 'DeleteChangeSet':
        this.mustFind(stackName).changeSets.delete(form.get('ChangeSetName') ?? '');
        return {};
      case 'ExecuteChangeSet':
        this.execute(this.mustFind(stackName), form.get('ChangeSetName') ?? '');
        return {};
      case 'DescribeStackEvents': {
        const s = this.mustFind(stackName);
        this.advance(s);
        const newestFirst = [...s.events].reverse();
        const from = Number(form.get('NextToken') ?? 0);
        const page = newestFirst.slice(from, from + 10);
        return { StackEvents: page as unknown as XmlValue[], ...(from + 10 < newestFirst.length ? { NextToken: String(from + 10) } : {}) };
      }
      case 'DescribeStackResources': {
        const s = this.mustFind(stackName);
        return {
          StackResources: [...s.resources].map(([id, r]) => ({ StackName: s.name, StackId: s.id, LogicalResourceId: id, PhysicalResourceId: r.physicalId, ResourceType: r.type, ResourceStatus: r.status, Timestamp: new Date() })),
        };
      }
      case 'GetTemplate':
        return { TemplateBody: JSON.stringify(this.mustFind(stackName).template ?? {}) };
      case 'SetStackPolicy':
        this.mustFind(stackName).policy = form.get('StackPolicyBody') ?? '';
        return {};
      case 'UpdateTerminationProtection': {
        const s = this.mustFind(stackName);
        s.protection = form.get('EnableTerminationProtection') === 'true';
        return { StackId: s.id };
      }
      case 'DeleteStack':
        this.delete(this.mustFind(stackName), formList(form, 'RetainResources'));
        return {};
      case 'ContinueUpdateRollback': {
        const s = this.mustFind(stackName);
        s.queue.push({ events: [{ LogicalResourceId: s.name, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'UPDATE_ROLLBACK_COMPLETE' }], status: 'UPDATE_ROLLBACK_COMPLETE' });
        s.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
        return {};
      }
      default:
        throw new AwsFault('InvalidAction', `The fake CloudFormation does not implement ${action}.`, 400);
    }
  }

  private describe(s: SimStack): { [key: string]: XmlValue } {
    return {
      StackName: s.name,
      StackId: s.id,
      StackStatus: s.status,
      StackStatusReason: s.reason,
      CreationTime: s.created,
      LastUpdatedTime: s.updated,
      EnableTerminationProtection: s.protection,
      Parameters: Object.entries(s.params).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      Outputs: s.outputs,
      Tags: s.tags,
    };
  }

  private readTemplate(form: Form): Template {
    const url = form.get('TemplateURL');
    const text = url ? this.options.readUrl(url)?.toString('utf8') : form.get('TemplateBody');
    if (text === undefined || text === null) throw new AwsFault('ValidationError', `TemplateURL must reference a valid S3 object to which you have access: ${url}`);
    try {
      return JSON.parse(text) as Template;
    } catch {
      throw new AwsFault('ValidationError', 'Template format error: the fake CloudFormation reads JSON templates only.');
    }
  }

  private createChangeSet(form: Form): { [key: string]: XmlValue } {
    const name = form.get('StackName') ?? '';
    const type = form.get('ChangeSetType') === 'CREATE' ? 'CREATE' : 'UPDATE';
    let s = this.find(name);
    if (type === 'CREATE' && s && s.status !== 'REVIEW_IN_PROGRESS') throw new AwsFault('AlreadyExistsException', `Stack [${name}] already exists`);
    if (type === 'UPDATE' && !s) throw new AwsFault('ValidationError', `Stack [${name}] does not exist`);
    if (!formList(form, 'Capabilities').includes('CAPABILITY_NAMED_IAM')) throw new AwsFault('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_NAMED_IAM]');
    const template = this.readTemplate(form);
    const params: Record<string, string> = {};
    for (const p of formStructs(form, 'Parameters')) {
      if (!(p.ParameterKey! in (template.Parameters ?? {}))) throw new AwsFault('ValidationError', `Parameters: [${p.ParameterKey}] do not exist in the template`);
      params[p.ParameterKey!] = p.UsePreviousValue === 'true' ? (s?.params[p.ParameterKey!] ?? '') : (p.ParameterValue ?? '');
    }
    const refused = checkParameterValues(template.Parameters ?? {}, params);
    if (refused) throw new AwsFault('ValidationError', refused);
    if (!s) {
      s = this.newStack(name, 'REVIEW_IN_PROGRESS', formStructs(form, 'Tags').find((t) => t.Key === 'benchtop:role')?.Value ?? 'platform');
      this.record(s, { LogicalResourceId: name, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'REVIEW_IN_PROGRESS', ResourceStatusReason: 'User Initiated' });
    }
    const changes = diffResources(type === 'CREATE' || !s.template ? undefined : deployed(s.template, s.params), deployed(template, params), s.params, params);
    if (changes.length === 0 && this.options.noChanges === 'refuse') throw new AwsFault('ValidationError', 'No updates are to be performed.');
    const cs: ChangeSet = { name: form.get('ChangeSetName') ?? nextId('cs'), id: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:changeSet/${nextId('cs')}`, type, status: 'CREATE_PENDING', polls: 0, template, params, changes, executed: false };
    if (changes.length === 0) {
      cs.reason = "The submitted information didn't contain changes. Submit different information to create a change set.";
    }
    s.changeSets.set(cs.name, cs);
    return { Id: cs.id, StackId: s.id };
  }

  private describeChangeSet(s: SimStack, name: string, token: string | null): { [key: string]: XmlValue } {
    const cs = s.changeSets.get(name);
    if (!cs) throw new AwsFault('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
    // Two polls in CREATE_IN_PROGRESS before the answer, like a real change set being computed.
    cs.polls++;
    if (cs.polls <= 2) cs.status = 'CREATE_IN_PROGRESS';
    else cs.status = cs.reason ? 'FAILED' : 'CREATE_COMPLETE';
    const from = Number(token ?? 0);
    const page = cs.status === 'CREATE_COMPLETE' ? cs.changes.slice(from, from + 50) : [];
    return {
      ChangeSetName: cs.name,
      ChangeSetId: cs.id,
      StackName: s.name,
      StackId: s.id,
      Status: cs.status,
      StatusReason: cs.status === 'FAILED' ? cs.reason : undefined,
      ExecutionStatus: cs.status === 'CREATE_COMPLETE' ? (cs.executed ? 'EXECUTE_COMPLETE' : 'AVAILABLE') : 'UNAVAILABLE',
      Changes: page.map((c) => ({ Type: 'Resource', ResourceChange: { ...c } })) as unknown as XmlValue[],
      ...(cs.status === 'CREATE_COMPLETE' && from + 50 < cs.changes.length ? { NextToken: String(from + 50) } : {}),
    };
  }

  private execute(s: SimStack, name: string): void {
    const cs = s.changeSets.get(name);
    if (!cs || cs.status !== 'CREATE_COMPLETE' || cs.executed) throw new AwsFault('InvalidChangeSetStatus', `ChangeSet [${name}] cannot be executed in its current status`);
    cs.executed = true;
    const verb = cs.type === 'CREATE' ? 'CREATE' : 'UPDATE';
    const stackLevel = (status: string, reason?: string) => ({ LogicalResourceId: s.name, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: status, ...(reason ? { ResourceStatusReason: reason } : {}) });
    s.status = `${verb}_IN_PROGRESS`;
    s.reason = undefined;
    this.record(s, stackLevel(`${verb}_IN_PROGRESS`, 'User Initiated'));
    const fail = this.options.failResource;
    const steps: Step[] = [];
    const started: string[] = [];
    for (const c of cs.changes) {
      const resVerb = c.Action === 'Add' ? 'CREATE' : c.Action === 'Remove' ? 'DELETE' : 'UPDATE';
      const base = { LogicalResourceId: c.LogicalResourceId, ResourceType: c.ResourceType, PhysicalResourceId: `${c.LogicalResourceId.toLowerCase()}-${s.name}` };
      steps.push({ events: [{ ...base, ResourceStatus: `${resVerb}_IN_PROGRESS` }] });
      started.push(c.LogicalResourceId);
      if (fail && fail.logicalId === c.LogicalResourceId) {
        const failVerb = verb === 'CREATE' ? 'ROLLBACK' : 'UPDATE_ROLLBACK';
        steps.push({
          events: [
            { ...base, ResourceStatus: `${resVerb}_FAILED`, ResourceStatusReason: fail.reason },
            ...started.filter((id) => id !== c.LogicalResourceId).slice(-1).map((id) => ({ LogicalResourceId: id, ResourceType: 'AWS::EC2::Instance', ResourceStatus: `${resVerb}_FAILED`, ResourceStatusReason: 'Resource creation cancelled' })),
            stackLevel(`${failVerb}_IN_PROGRESS`, `The following resource(s) failed: [${c.LogicalResourceId}].`),
          ],
          status: `${failVerb}_IN_PROGRESS`,
        });
        steps.push({ events: [stackLevel(`${failVerb}_COMPLETE`)], status: `${failVerb}_COMPLETE`, apply: () => (s.reason = `The following resource(s) failed: [${c.LogicalResourceId}].`) });
        s.queue.push(...steps);
        return;
      }
      steps.push({
        events: [{ ...base, ResourceStatus: `${resVerb}_COMPLETE` }],
        apply: () => {
          if (c.Action === 'Remove') s.resources.delete(c.LogicalResourceId);
          else s.resources.set(c.LogicalResourceId, { type: c.ResourceType, physicalId: base.PhysicalResourceId, status: `${resVerb}_COMPLETE` });
        },
      });
    }
    steps.push({
      events: [stackLevel(`${verb}_COMPLETE`)],
      status: `${verb}_COMPLETE`,
      apply: () => {
        s.template = cs.template;
        s.params = cs.params;
        if (verb === 'UPDATE') s.updated = new Date();
        s.outputs = this.outputsOf(s);
        s.changeSets.clear();
      },
    });
    s.queue.push(...steps);
  }

  private delete(s: SimStack, retain: string[]): void {
    if (s.protection) throw new AwsFault('ValidationError', `Stack [${s.name}] cannot be deleted while TerminationProtection is enabled`);
    s.status = 'DELETE_IN_PROGRESS';
    this.record(s, { LogicalResourceId: s.name, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'DELETE_IN_PROGRESS', ResourceStatusReason: 'User Initiated' });
    for (const [id, r] of [...s.resources].reverse()) {
      const status = retain.includes(id) ? 'DELETE_SKIPPED' : 'DELETE_COMPLETE';
      s.queue.push({ events: [{ LogicalResourceId: id, ResourceType: r.type, PhysicalResourceId: r.physicalId, ResourceStatus: status }], apply: () => s.resources.delete(id) });
    }
    s.queue.push({ events: [{ LogicalResourceId: s.name, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: 'DELETE_COMPLETE' }], status: 'DELETE_COMPLETE', apply: () => (s.deleted = true) });
  }
}

/** What the stack holds for these parameters: resources and outputs whose Condition is false left out. */
function deployed(template: Template, params: Record<string, string>): Template {
  try {
    return materialize(template as CfnObject, { parameters: params, region: 'us-east-1' }) as Template;
  } catch (error) {
    throw new AwsFault('ValidationError', `Template format error: ${(error as Error).message}`);
  }
}

/** Add/Modify/Remove per resource; a volume moved to another zone or snapshot is replaced. */
function diffResources(before: Template | undefined, after: Template, oldParams: Record<string, string>, newParams: Record<string, string>): Change[] {
  const old = before?.Resources ?? {};
  const now = after.Resources ?? {};
  const changedParams = Object.keys({ ...oldParams, ...newParams }).filter((k) => before && oldParams[k] !== newParams[k]);
  const changes: Change[] = [];
  for (const [id, r] of Object.entries(now)) {
    const prev = old[id];
    if (!prev) changes.push({ Action: 'Add', LogicalResourceId: id, ResourceType: r.Type });
    else {
      const text = JSON.stringify(r);
      const touched = JSON.stringify(prev) !== text || changedParams.some((p) => text.includes(`{"Ref":"${p}"}`));
      if (!touched) continue;
      const props = (x: unknown) => JSON.stringify((x as { Properties?: Record<string, unknown> }).Properties ?? {});
      const volumeMoved = r.Type === 'AWS::EC2::Volume' && (props(r).includes('SnapshotId') !== props(prev).includes('SnapshotId') || changedParams.some((p) => p.includes('Snapshot') || p.includes('Zone')));
      // An instance's ImageId cannot change in place (Update requires: Replacement).
      const imageChanged = r.Type === 'AWS::EC2::Instance' && changedParams.some((p) => JSON.stringify((r as { Properties?: { ImageId?: unknown } }).Properties?.ImageId ?? null) === `{"Ref":"${p}"}`);
      const replaced = volumeMoved || imageChanged;
      changes.push({ Action: 'Modify', LogicalResourceId: id, ResourceType: r.Type, Replacement: replaced ? 'True' : 'False' });
    }
  }
  for (const [id, r] of Object.entries(old)) if (!now[id]) changes.push({ Action: 'Remove', LogicalResourceId: id, ResourceType: r.Type });
  return changes;
}
