import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnObject, CfnValue } from './cfn-yaml.js';

// Boot scripts live as plain bash files in templates/boot/ (so shellcheck and unit tests see the
// real code) and are embedded in the template here, the single place that turns them into user
// data: lib/ files are inlined, the stack's values become variables at the top, and every other
// `${` is escaped as `${!` so Fn::Sub leaves bash's own expansions alone.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html

export const BOOT_DIR = fileURLToPath(new URL('../boot/', import.meta.url));

/** EC2 refuses user data over 16 KB (before base64). */
export const USER_DATA_LIMIT_BYTES = 16_384;

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

/** The script text as it runs on the instance, with `${NAME}` placeholders for Fn::Sub. */
export function bootScriptSource(file: string, variables: string[]): string {
  const bad = variables.filter((v) => !VARIABLE_NAME.test(v));
  if (bad.length > 0) {
    throw new Error(`Boot script variables must be UPPER_SNAKE_CASE; fix: ${bad.join(', ')}.`);
  }
  const [shebang, ...rest] = dropComments(inlineLibraries(readBootFile(file))).split('\n');
  if (shebang !== '#!/bin/bash') throw new Error(`Boot script ${file} must start with #!/bin/bash.`);
  const body = rest.join('\n').replaceAll('${', '${!');
  const header = variables.map((v) => `${v}='\${${v}}'`);
  return [shebang, ...header, body].join('\n');
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
