import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderPlatformTemplate, TEMPLATE_BODY_LIMIT_BYTES, type TemplateFormat } from '../src/platform.js';
import { exitOnUsageErrors, UsageError } from './command-errors.js';
import { readParamsFile } from './read-params.js';

const USAGE = `usage: benchtop template render --params FILE [--out FILE] [--format yaml|json]

Prints the platform CloudFormation template, boot scripts embedded, after checking the
parameters in FILE (a JSON object of template parameter names to values) against the
template's constraints. Parameters left out take their defaults; those without a default
(CertificateArn, ArtifactsBucketName) are required.

  --params FILE    the parameters to check (required)
  --out FILE       write the template to FILE instead of standard output
  --format F       yaml (default) or json
`;

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      params: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'yaml' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true as const };
  if (positionals[0] !== 'render' || positionals.length > 1) {
    throw new UsageError(`Unknown subcommand "${positionals.join(' ')}"; the only one is "benchtop template render".`);
  }
  if (!values.params) throw new UsageError('--params FILE is required (a JSON object of template parameter names to values).');
  if (values.format !== 'yaml' && values.format !== 'json') throw new UsageError(`--format must be yaml or json, not "${values.format}".`);
  return { help: false as const, params: values.params, out: values.out, format: values.format as TemplateFormat };
}

export function run(argv: string[]): Promise<number> {
  return exitOnUsageErrors('template', async () => {
    const opts = options(argv);
    if (opts.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const body = renderPlatformTemplate(readParamsFile(opts.params), { format: opts.format });
    if (opts.out) {
      writeFileSync(opts.out, body);
      const bytes = Buffer.byteLength(body);
      const via = bytes > TEMPLATE_BODY_LIMIT_BYTES ? 'upload it to the artifacts bucket and deploy it by TemplateURL' : 'it fits in TemplateBody';
      process.stderr.write(`Wrote ${opts.out} (${bytes} bytes; ${via}).\n`);
    } else {
      process.stdout.write(body);
    }
    return 0;
  });
}
