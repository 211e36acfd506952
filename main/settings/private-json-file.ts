import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ApiError } from '../../common/api/errors.js';

/**
 * A small JSON file of the app's own, checked by `schema` on every read: missing → `empty`;
 * unreadable or of another shape → an error naming the file, and the file left as it is.
 */
export function readPrivateJson<S extends z.ZodType>(file: string, schema: S, empty: z.output<S>, damaged: { what: string; fix: string }): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError('unavailable', `The ${damaged.what} ${file} is damaged and was left untouched.`, damaged.fix);
  return parsed.data;
}

/** Writes atomically (temp file + rename), readable by this user only. */
export function writePrivateJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync is ignored when the temp file already existed.
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}
