import { DEFAULT_RUN_LIMITS, type RunLimits } from '../../common/limits.js';

/** The defaults with the admin's overrides, each checked to be a positive whole number. */
export function runLimits(overrides: Partial<RunLimits> = {}): RunLimits {
  const limits = { ...DEFAULT_RUN_LIMITS };
  for (const [name, value] of Object.entries(overrides) as Array<[keyof RunLimits, number | undefined]>) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`run limit ${name} must be a positive whole number, not ${value}`);
    limits[name] = value;
  }
  return limits;
}

/** "268435456 bytes (256 MiB)": a limit as the admin set it, and as a person reads it. */
export function bytesText(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 'bytes';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return unit === 'bytes' ? `${bytes} bytes` : `${bytes} bytes (${Number(value.toFixed(1))} ${unit})`;
}

/** The services agent's command-line flags for the limits, by the RunLimits field each sets. */
export const RUN_LIMIT_FLAGS = {
  'max-log-lines': 'maxLogLines',
  'max-log-bytes': 'maxLogBytes',
  'max-result-files': 'maxResultFiles',
  'max-result-bytes': 'maxResultBytes',
} as const satisfies Record<string, keyof RunLimits>;

/** parseArgs options for RUN_LIMIT_FLAGS. */
export const runLimitOptions = Object.fromEntries(Object.keys(RUN_LIMIT_FLAGS).map((flag) => [flag, { type: 'string' as const }])) as Record<
  keyof typeof RUN_LIMIT_FLAGS,
  { type: 'string' }
>;

/** The limits given on the command line (`--max-log-lines N` ...); absent flags keep their default. */
export function runLimitsFromFlags(values: Partial<Record<keyof typeof RUN_LIMIT_FLAGS, string>>): Partial<RunLimits> {
  const limits: Partial<RunLimits> = {};
  for (const [flag, field] of Object.entries(RUN_LIMIT_FLAGS) as Array<[keyof typeof RUN_LIMIT_FLAGS, keyof RunLimits]>) {
    const value = values[flag];
    if (value === undefined) continue;
    if (!/^[1-9]\d{0,14}$/.test(value)) throw new Error(`--${flag} must be a positive whole number, not "${value}"`);
    limits[field] = Number(value);
  }
  return limits;
}
