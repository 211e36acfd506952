import { parse, stringify, type ScalarTag, type CollectionTag, YAMLMap, YAMLSeq, Scalar } from 'yaml';
import type { CfnObject, CfnValue } from '../../common/templates/cfn-value.js';

// CloudFormation's short-form intrinsics (`!Ref X`, `!GetAtt A.B`, ...) are YAML local tags. We
// parse them into the long form (`{ Ref: X }`, `{ 'Fn::GetAtt': [A, B] }`) so every check and the
// rendered template see one shape. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html

// The YAML reader's values are the pure layer's template values.
export type { CfnObject, CfnValue };

/** A tag the template loader resolves itself (e.g. `!BootScript`), kept as `{ [key]: value }`. */
export interface ExtraTag {
  tag: string;
  key: string;
}

const FN_TAGS = [
  'Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub',
  'If', 'Equals', 'Not', 'And', 'Or', 'GetAtt', 'ToJsonString', 'Length',
] as const;

function toPlain(node: unknown): CfnValue {
  if (node instanceof Scalar) return node.value as CfnValue;
  if (node instanceof YAMLMap || node instanceof YAMLSeq) return node.toJSON() as CfnValue;
  return node as CfnValue;
}

function tagsFor(name: string, key: string): Array<ScalarTag | CollectionTag> {
  const wrap = (value: CfnValue): CfnObject => {
    if (name === 'GetAtt' && typeof value === 'string') {
      const dot = value.indexOf('.');
      return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    }
    return { [key]: value };
  };
  const tag = `!${name}`;
  return [
    { tag, resolve: (str: string) => wrap(str) } as ScalarTag,
    { tag, collection: 'seq', resolve: (seq: unknown) => wrap(toPlain(seq)) } as unknown as CollectionTag,
    { tag, collection: 'map', resolve: (map: unknown) => wrap(toPlain(map)) } as unknown as CollectionTag,
  ];
}

function customTags(extra: ExtraTag[]): Array<ScalarTag | CollectionTag> {
  return [
    ...tagsFor('Ref', 'Ref'),
    ...tagsFor('Condition', 'Condition'),
    ...FN_TAGS.flatMap((fn) => tagsFor(fn, `Fn::${fn}`)),
    ...extra.flatMap((e) => tagsFor(e.tag, e.key)),
  ];
}

/** Parses CloudFormation YAML (short or long form) into plain long-form objects. */
export function parseCfnYaml(text: string, extra: ExtraTag[] = []): CfnObject {
  const doc = parse(text, { customTags: customTags(extra), maxAliasCount: 0, uniqueKeys: true });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error('A CloudFormation template must be a YAML mapping at the top level.');
  }
  return doc as CfnObject;
}

/** Long-form YAML that CloudFormation accepts as TemplateBody/TemplateURL content. */
export function stringifyCfnYaml(template: CfnObject): string {
  return stringify(template, { lineWidth: 0, aliasDuplicateObjects: false });
}
