import { describe, expect, it } from 'vitest';
import { DATA_STACK_POLICY } from './guard-rails.js';
import { summarizeChanges } from './plan-diff.js';
import { loadTemplate } from '../../templates/src/load-template.js';
import { STATEFUL_TYPES } from '../../common/stateful-resources.js';

describe('stateful resource types, one list for plan, stack policy and template rules', () => {
  it('the image repository counts as data: removing it needs the typed confirmation', () => {
    const [change] = summarizeChanges([{ Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'Images', ResourceType: 'AWS::ECR::Repository' } }]);
    expect(change).toMatchObject({ stateful: true, destroysData: true });
  });

  it('the stack policy protects every stateful type the template declares', () => {
    const template = loadTemplate('platform');
    const declared = new Set(Object.values(template.Resources ?? {}).map((r) => (r as { Type: string }).Type));
    const protectedTypes = JSON.stringify(DATA_STACK_POLICY);
    for (const type of STATEFUL_TYPES.filter((t) => declared.has(t))) expect(protectedTypes).toContain(type);
  });
});
