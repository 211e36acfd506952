import { mapAwsError } from '../../../lib/aws/map-aws-error.js';
import { DeployError } from '../deploy-error.js';
import { CliOutput } from './cli-output.js';
import { EXIT, UsageError } from './cli-options.js';

/** Runs a command body and turns every failure into a message and an exit code, never a stack trace. */
export async function runCli(argv: string[], usage: string, body: (out: CliOutput) => Promise<number>): Promise<number> {
  const out = new CliOutput(argv.includes('--json'));
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return EXIT.ok;
  }
  try {
    return await body(out);
  } catch (e) {
    if (e instanceof UsageError) {
      out.error(e.message, 'Run with --help for the options.');
      return EXIT.usage;
    }
    if (e instanceof DeployError) {
      out.error(e.message, e.fix);
      return EXIT.failed;
    }
    const mapped = mapAwsError(e);
    if (mapped) out.error(mapped.message, mapped.fix);
    else out.error(e instanceof Error ? e.message : String(e));
    return EXIT.failed;
  }
}
