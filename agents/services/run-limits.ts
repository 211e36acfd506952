/**
 * What one run may store, so that one run cannot fill the data disk. The admin sets them with
 * `startServices({ limits })` or the services agent's `--max-*` flags (see the README).
 */
export interface RunLimits {
  /** Log lines kept per run; past it the first half and the latest lines are kept, with a marker between. */
  maxLogLines: number;
  /** Log text kept per run, UTF-8 bytes; same head-and-tail rule. */
  maxLogBytes: number;
  /** Result files per run (413 past it). */
  maxResultFiles: number;
  /** Result bytes per run, all files of all its attempts (413 past it). */
  maxResultBytes: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = {
  maxLogLines: 2_000_000,
  maxLogBytes: 256 * 1024 ** 2,
  maxResultFiles: 10_000,
  maxResultBytes: 50 * 1024 ** 3,
};

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
