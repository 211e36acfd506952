import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { templateParameters, type TemplateParameters } from '../../../common/deploy/platform-parameters.js';
import { type Timing, timingFromEnv } from '../timing.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, needsConfirmation: 3 } as const;

export class UsageError extends Error {}

export interface CommonOptions {
  stack: string;
  region: string;
  profile?: string;
  params: TemplateParameters;
  yes: boolean;
  json: boolean;
  help: boolean;
}

const COMMON = {
  stack: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  params: { type: 'string' },
  yes: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type ExtraOptions = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

export function commonUsage(command: string, extra = ''): string {
  return [
    `usage: benchtop ${command} --stack NAME --region REGION [--profile PROFILE] [--params FILE] [--yes] [--json]${extra ? ` ${extra}` : ''}`,
    '',
    '  --params FILE   a JSON object of template parameter names to values (defaults for the rest)',
    '  --json          one JSON object per line instead of text',
    ...(command === 'plan' || command === 'deploy'
      ? ['  --update-images move the instances to the latest machine images (replaces them; otherwise an update keeps the deployed ones)', '  --diff          print the raw change set after the plan in words']
      : []),
    '  AWS_ENDPOINT_URL sends every AWS call to that endpoint (a local emulator).',
    '',
  ].join('\n');
}

function readParams(file: string | undefined): TemplateParameters {
  if (!file) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--params ${file} could not be read as JSON: ${(e as Error).message}`);
  }
  const parsed = templateParameters.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--params ${file}: ${issue.path.join('.') || 'the file'} ${issue.message} (expected an object of parameter names to strings, numbers or booleans).`);
  }
  return parsed.data;
}

const stackName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and hold only letters, digits and hyphens');

export function parseCommon<E extends ExtraOptions>(argv: string[], extra: E, env: NodeJS.ProcessEnv = process.env): CommonOptions & { extra: Record<keyof E, string | boolean | undefined> } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: { ...COMMON, ...extra }, allowPositionals: false, strict: true }).values as typeof values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const help = Boolean(values.help);
  const extraValues = Object.fromEntries(Object.keys(extra).map((k) => [k, values[k]])) as Record<keyof E, string | boolean | undefined>;
  if (help) return { stack: '', region: '', params: {}, yes: false, json: false, help, extra: extraValues };
  const stack = values.stack as string | undefined;
  if (!stack) throw new UsageError('--stack NAME is required (the deployment, e.g. "lab-prod").');
  const name = stackName.safeParse(stack);
  if (!name.success) throw new UsageError(`--stack "${stack}" ${name.error.issues[0]!.message}.`);
  const region = (values.region as string | undefined) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--region REGION is required (or set AWS_REGION), e.g. --region eu-west-1.');
  return {
    stack,
    region,
    ...(values.profile ? { profile: values.profile as string } : {}),
    params: readParams(values.params as string | undefined),
    yes: Boolean(values.yes),
    json: Boolean(values.json),
    help,
    extra: extraValues,
  };
}

/** Poll interval: BENCHTOP_DEPLOY_POLL_MS lets tests and emulators poll faster than AWS needs. */
export function cliTiming(env: NodeJS.ProcessEnv = process.env): Timing {
  return timingFromEnv(env);
}

/** The options `plan` and `deploy` share. */
export const PLAN_OPTIONS = { 'update-images': { type: 'boolean', default: false }, diff: { type: 'boolean', default: false } } as const;

export function planOptions(extra: Record<string, string | boolean | undefined>): { diff: boolean; updateImages: boolean } {
  return { diff: Boolean(extra.diff), updateImages: Boolean(extra['update-images']) };
}
