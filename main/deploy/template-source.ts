import { fileURLToPath } from 'node:url';
import type { CfnObject } from '../../templates/src/cfn-yaml.js';
import { loadTemplate } from '../../templates/src/load-template.js';
import { STACK_VERSION } from '../../templates/src/version.js';
import { buildAgentBundle } from './agent-bundle.js';

/** What one app version installs: its two templates (rendered), its stack version, its agent bundle. */
export interface DeploySource {
  /** JSON text as CloudFormation receives it (boot scripts embedded). */
  bootstrapTemplate: string;
  platformTemplate: string;
  platform: CfnObject;
  stackVersion: string;
  /** The agent bundle's bytes, built from the sources on first use (a few seconds) and kept. */
  agentBundle(): Promise<Uint8Array>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Built once per process: the sources do not change under a running app or CLI.
let bundle: Promise<Uint8Array> | undefined;

/** The templates shipped with this app, rendered by templates/src (the same as `benchtop template render`). */
export function loadDeploySource(): DeploySource {
  const platform = loadTemplate('platform');
  return {
    bootstrapTemplate: JSON.stringify(loadTemplate('bootstrap')),
    platformTemplate: JSON.stringify(platform),
    platform,
    stackVersion: STACK_VERSION,
    agentBundle: () => (bundle ??= buildAgentBundle(ROOT).then((b) => b.bytes)),
  };
}

/** The values a parameter accepts, from the template's AllowedValues (instance type lists, modes). */
export function allowedValues(template: CfnObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, decl] of Object.entries((template.Parameters ?? {}) as Record<string, { AllowedValues?: unknown[] }>)) {
    if (Array.isArray(decl?.AllowedValues)) out[name] = decl.AllowedValues.map(String);
  }
  return out;
}

/** Each parameter's default, so a form starts from what the template would use. */
export function parameterDefaults(template: CfnObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, decl] of Object.entries((template.Parameters ?? {}) as Record<string, { Default?: unknown }>)) {
    if (decl?.Default !== undefined) out[name] = String(decl.Default);
  }
  return out;
}
