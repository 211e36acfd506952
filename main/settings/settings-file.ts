import { z } from 'zod';
import { preferences, storedDeployment } from '../../common/api/settings.contract.js';

export const defaultPreferences: z.infer<typeof preferences> = { theme: 'system' };

/**
 * The whole settings file. Unknown top-level keys are kept (loose) so that an older app opening a
 * newer file does not drop what it does not understand.
 */
export const settingsFile = z
  .object({
    preferences: preferences.default(defaultPreferences),
    deployments: z.array(storedDeployment).default([]),
  })
  .loose();
export type SettingsFile = z.infer<typeof settingsFile>;

/** Raised when the file on disk is not what we wrote; carries where the untouched copy was kept. */
export class CorruptSettingsError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly backup?: string,
  ) {
    super(`The settings file ${file} is damaged: ${problem}.`);
    this.name = 'CorruptSettingsError';
  }
}

/** conf's deserializer: JSON, then the schema; a failure names the first broken fields. */
export function parseSettingsText(text: string, file: string): SettingsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CorruptSettingsError(file, `it is not valid JSON (${(error as Error).message})`);
  }
  const parsed = settingsFile.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    throw new CorruptSettingsError(file, fields);
  }
  return parsed.data;
}
