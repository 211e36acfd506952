import { parse, type ScalarTag, type CollectionTag, YAMLMap, YAMLSeq } from 'yaml';

// CloudFormation's short-form intrinsics (!Ref, !Sub, !GetAtt…) as YAML tags, so a template parses
// into the same JSON that CloudFormation itself sees (and that GetTemplate gives back).

const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Length', 'ToJsonString'];

function fullName(short: string): string {
  return short === 'Ref' || short === 'Condition' ? short : `Fn::${short}`;
}

function tagsFor(short: string): (ScalarTag | CollectionTag)[] {
  const key = fullName(short);
  const scalar: ScalarTag = {
    tag: `!${short}`,
    resolve: (value: string) => (short === 'GetAtt' ? { [key]: value.split('.', 2) } : { [key]: value }),
  };
  const seq: CollectionTag = {
    tag: `!${short}`,
    collection: 'seq',
    nodeClass: YAMLSeq,
    resolve: (node) => wrap(key, node),
  };
  const map: CollectionTag = {
    tag: `!${short}`,
    collection: 'map',
    nodeClass: YAMLMap,
    resolve: (node) => wrap(key, node),
  };
  return [scalar, seq, map];
}

function wrap(key: string, node: YAMLSeq | YAMLMap): YAMLMap {
  const out = new YAMLMap();
  out.set(key, node);
  return out;
}

const CUSTOM_TAGS = ['Ref', 'Condition', 'GetAtt', ...FUNCTIONS].flatMap(tagsFor);

export type CfnTemplate = Record<string, unknown>;

/** Parses a CloudFormation template given as YAML or JSON. */
export function parseTemplate(text: string): CfnTemplate {
  const value: unknown = parse(text, { customTags: CUSTOM_TAGS, uniqueKeys: true, maxAliasCount: 100 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('The template is not a YAML or JSON object.');
  return value as CfnTemplate;
}
