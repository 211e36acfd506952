import { Writable } from 'node:stream';
import { fullDiff, formatDifferences } from '@aws-cdk/cloudformation-diff';
import type { DescribeChangeSetOutput, Change } from '@aws-sdk/client-cloudformation';
import type { CfnObject as CfnTemplate } from '../../templates/src/cfn-yaml.js';
import { isStateful } from '../../common/stateful-resources.js';

export interface ResourceChange {
  action: string;
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** "True", "False" or "Conditional" for a Modify. */
  replacement?: string;
  stateful: boolean;
  /** Removing or (possibly) replacing a stateful resource: apply needs the typed confirmation. */
  destroysData: boolean;
  /** For a Modify, the properties the change set says change (its Details), when it says. */
  properties?: string[];
}

export function summarizeChanges(changes: Change[]): ResourceChange[] {
  return changes.flatMap((c) => {
    const r = c.ResourceChange;
    if (!r?.LogicalResourceId) return [];
    const stateful = isStateful(r.ResourceType);
    const replaces = r.Action === 'Modify' && (r.Replacement === 'True' || r.Replacement === 'Conditional');
    const properties = [...new Set((r.Details ?? []).flatMap((d) => (d.Target?.Attribute === 'Properties' && d.Target.Name ? [d.Target.Name] : [])))];
    return [
      {
        action: r.Action ?? 'Unknown',
        logicalId: r.LogicalResourceId,
        resourceType: r.ResourceType ?? 'Unknown',
        ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
        ...(r.Replacement ? { replacement: r.Replacement } : {}),
        stateful,
        destroysData: stateful && (r.Action === 'Remove' || replaces),
        ...(properties.length ? { properties } : {}),
      },
    ];
  });
}

const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The readable diff: cloudformation-diff's own rendering when both templates are known (it also
 * reads the change set for replacements), else one line per resource change of the change set.
 */
export function renderDiff(changes: ResourceChange[], templates?: { old: CfnTemplate; new: CfnTemplate }, changeSet?: DescribeChangeSetOutput): string {
  if (templates) {
    try {
      const diff = fullDiff(templates.old, templates.new, changeSet);
      let text = '';
      const sink = new Writable({
        write(chunk: Buffer | string, _enc, done) {
          text += chunk.toString();
          done();
        },
      });
      formatDifferences(sink, diff);
      text = text.replace(ANSI, '').trim();
      if (text) return text;
    } catch {
      // An intrinsic the diff library cannot model: the change set summary below is still exact.
    }
  }
  return changes.map(describeChange).join('\n');
}

export function describeChange(c: ResourceChange): string {
  const sign = c.action === 'Add' ? '[+]' : c.action === 'Remove' ? '[-]' : '[~]';
  const replace = c.replacement === 'True' ? ' (replaced)' : c.replacement === 'Conditional' ? ' (may be replaced)' : '';
  const data = c.destroysData ? ' ⚠ DATA LOSS' : '';
  return `${sign} ${c.resourceType} ${c.logicalId}${replace}${data}`;
}
