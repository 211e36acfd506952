import { ParameterError } from '../src/platform.js';

/** A usage mistake: the command prints the message and exits with 2. */
export class UsageError extends Error {}

/**
 * Runs a command body and turns the caller's mistakes (bad options, a bad params file, values the
 * template refuses) into a message on stderr and exit code 2. Anything else is a bug and throws.
 */
export async function exitOnUsageErrors(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ParameterError) {
      process.stderr.write(`The parameters do not fit the template:\n${e.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 2;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`benchtop ${command}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}
