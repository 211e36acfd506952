import { readFileSync } from 'node:fs';
import { ParameterValuesSchema, type ParameterValues } from '../src/parameters.js';
import { UsageError } from './command-errors.js';

/** Reads a params file: a JSON object of template parameter names to values. */
export function readParamsFile(file: string): ParameterValues {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read --params ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--params ${file} is not valid JSON (${(e as Error).message}).`);
  }
  const parsed = ParameterValuesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `parameter ${issue.path.join('.')}` : 'the file';
    throw new UsageError(`--params ${file}: ${where} is not valid; expected a JSON object of parameter names to strings, numbers or booleans.`);
  }
  return parsed.data;
}
