import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnObject, CfnValue } from './cfn-yaml.js';

// Boot scripts live as plain bash files in templates/boot/ (so shellcheck and unit tests see the
// real code). This is the single place that turns them into what instances run: user data for the
// template (lib/ files inlined, the stack's values exported at the top, every other `${` escaped
// as `${!` so Fn::Sub leaves bash's own expansions alone), and the boot scripts proper that the
// agent bundle carries (lib/ files inlined), which the services and worker user data stubs run.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html

export const BOOT_DIR = fileURLToPath(new URL('../boot/', import.meta.url));

/** EC2 refuses user data over 16 KB (before base64). */
export const USER_DATA_LIMIT_BYTES = 16_384;

/**
 * The boot scripts the agent bundle carries under boot/, each run by its user data stub
 * (services-stub.sh, worker-stub.sh) once the bundle's sha256 is checked: no size limit there.
 */
export const BUNDLED_BOOT_SCRIPTS = ['services.sh', 'worker.sh'] as const;

const SOURCE_LINE = /^source "\$\(dirname "\$0"\)\/(lib\/[a-z0-9-]+\.sh)"\s*$/;
const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;

function readBootFile(relative: string): string {
  return readFileSync(join(BOOT_DIR, relative), 'utf8');
}

function inlineLibraries(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const match = SOURCE_LINE.exec(line);
      if (!match?.[1]) return line;
      return readBootFile(match[1])
        .split('\n')
        .filter((l) => !l.startsWith('#!'))
        .join('\n')
        .trim();
    })
    .filter((line) => !line.startsWith('# shellcheck source-path'))
    .join('\n');
}

const HEREDOC_START = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/;

/**
 * Full-line comments and blank lines cost a third of the 16 KB and do nothing on the instance;
 * the files keep them. Heredoc bodies stay as they are, and so do shellcheck directives.
 */
function dropComments(text: string): string {
  const kept: string[] = [];
  let heredocEnd: string | undefined;
  for (const line of text.split('\n')) {
    if (heredocEnd !== undefined) {
      kept.push(line);
      if (line === heredocEnd) heredocEnd = undefined;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#') && !trimmed.startsWith('#!') && !trimmed.startsWith('# shellcheck')) continue;
    heredocEnd = HEREDOC_START.exec(line)?.[2];
    kept.push(line);
  }
  return kept.join('\n');
}

const SHEBANG = '#!/bin/bash';

function scriptLines(file: string, text: string): string[] {
  const lines = text.split('\n');
  if (lines[0] !== SHEBANG) throw new Error(`Boot script ${file} must start with ${SHEBANG}.`);
  return lines;
}

/**
 * The user data text, with `${NAME}` placeholders for Fn::Sub. The values are exported: a stub
 * hands them to the boot script it runs from the bundle.
 */
export function bootScriptSource(file: string, variables: string[]): string {
  const bad = variables.filter((v) => !VARIABLE_NAME.test(v));
  if (bad.length > 0) {
    throw new Error(`Boot script variables must be UPPER_SNAKE_CASE; fix: ${bad.join(', ')}.`);
  }
  const body = scriptLines(file, dropComments(inlineLibraries(readBootFile(file)))).slice(1).join('\n').replaceAll('${', '${!');
  const header = variables.map((v) => `export ${v}='\${${v}}'`);
  return [SHEBANG, ...header, body].join('\n');
}

/**
 * A boot script as the agent bundle carries it (boot/<file>): its lib/ files inlined, comments
 * kept (no size limit there), its values taken from the environment the stub exported.
 */
export function bundledBootScript(file: (typeof BUNDLED_BOOT_SCRIPTS)[number]): string {
  return scriptLines(file, inlineLibraries(readBootFile(file))).join('\n');
}

function isPlainObject(value: CfnValue | undefined): value is CfnObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `!BootScript { File, Variables }` → `Fn::Base64: Fn::Sub: [script, Variables]`. */
export function expandBootScript(spec: CfnValue): CfnObject {
  if (!isPlainObject(spec) || typeof spec.File !== 'string' || !isPlainObject(spec.Variables)) {
    throw new Error('!BootScript takes a mapping with File (a name in templates/boot/) and Variables (a mapping).');
  }
  const variables = spec.Variables;
  return { 'Fn::Base64': { 'Fn::Sub': [bootScriptSource(spec.File, Object.keys(variables)), variables] } };
}
