import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadTemplate, parseTemplate, templateFile } from '../templates/src/load-template.js';
import { checkReferences } from '../common/templates/references.js';
import { checkSecurity } from '../common/templates/security-rules.js';
import { checkAgainstSpec, loadSpec } from '../templates/validate/spec-check.js';

// What the template checks cost: loading the AWS resource specification (once per test file),
// parsing platform.yaml with CloudFormation tags (baseline: the same text through plain
// yaml.parse, tags ignored), and validating the parsed template.
//   node --import tsx bench/template-validation.ts [--repeat N]

const REPEAT = Number(process.argv[process.argv.indexOf('--repeat') + 1] || 5);

function emit(metric: string, value: number, unit: string, better: 'higher' | 'lower', extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'template-validation', metric, value: Math.round(value * 10) / 10, unit, better, ...extra })}\n`);
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const specStart = performance.now();
const spec = await loadSpec();
emit('spec_load_ms', performance.now() - specStart, 'ms', 'lower');

const text = readFileSync(templateFile('platform'), 'utf8');
const parseMs = median(Array.from({ length: REPEAT }, () => time(() => parseTemplate(text))));
const plainMs = median(Array.from({ length: REPEAT }, () => time(() => parse(text, { logLevel: 'silent' }))));
emit('platform_parse_ms', parseMs, 'ms', 'lower', { baseline: Math.round(plainMs * 10) / 10 });

const template = loadTemplate('platform');
emit('platform_spec_check_ms', median(Array.from({ length: REPEAT }, () => time(() => checkAgainstSpec(spec, template)))), 'ms', 'lower');
emit('platform_references_and_security_ms', median(Array.from({ length: REPEAT }, () => time(() => { checkReferences(template); checkSecurity(template); }))), 'ms', 'lower');
