import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildAgentBundle } from './agent-bundle.js';
import { type CfnTemplate, parseTemplate } from './cfn-yaml.js';

/** What one app version installs: its two templates, its stack version, its agent bundle. */
export interface DeploySource {
  bootstrapTemplate: string;
  platformTemplate: string;
  platform: CfnTemplate;
  stackVersion: string;
  agentBundle: Uint8Array;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function read(relativePath: string): string {
  const path = `${ROOT}${relativePath}`;
  if (!existsSync(path)) throw new Error(`${relativePath} is missing from this copy of Benchtop: reinstall the app.`);
  return readFileSync(path, 'utf8');
}

/** The templates shipped with this app (templates/), read from disk each time they are needed. */
export function loadDeploySource(): DeploySource {
  const platformTemplate = read('templates/platform.yaml');
  return {
    bootstrapTemplate: read('templates/bootstrap.yaml'),
    platformTemplate,
    platform: parseTemplate(platformTemplate),
    stackVersion: read('templates/STACK_VERSION').trim(),
    agentBundle: buildAgentBundle(ROOT),
  };
}
