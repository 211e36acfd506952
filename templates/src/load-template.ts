import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCfnYaml, type CfnObject, type CfnValue } from './cfn-yaml.js';
import { expandBootScript } from './boot-scripts.js';

export type TemplateName = 'bootstrap' | 'platform';

const BOOT_SCRIPT_KEY = 'Benchtop::BootScript';

export function templateFile(name: TemplateName): string {
  return fileURLToPath(new URL(`../${name}.yaml`, import.meta.url));
}

function expand(value: CfnValue): CfnValue {
  if (Array.isArray(value)) return value.map(expand);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === BOOT_SCRIPT_KEY) {
    return expandBootScript(value[BOOT_SCRIPT_KEY] ?? null);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
}

/** Parses a template from its YAML text, resolving `!BootScript` into user data. */
export function parseTemplate(text: string): CfnObject {
  return expand(parseCfnYaml(text, [{ tag: 'BootScript', key: BOOT_SCRIPT_KEY }])) as CfnObject;
}

// Parsing the platform template takes a noticeable moment; parse each file once per process and
// hand out copies, so no caller can change what the next one sees.
const parsed = new Map<TemplateName, CfnObject>();

/** The template as CloudFormation will see it (long form, boot scripts embedded); a fresh copy. */
export function loadTemplate(name: TemplateName): CfnObject {
  let template = parsed.get(name);
  if (!template) {
    template = parseTemplate(readFileSync(templateFile(name), 'utf8'));
    parsed.set(name, template);
  }
  return structuredClone(template);
}
