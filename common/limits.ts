// Limits that more than one tier relies on, in one place: the app, its host, the platform and the
// agents read them from here, so a client never learns a limit from a 413.

/** Largest request body the platform and the app's loopback host accept: a capsule version arrives as one call with its files base64-encoded. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024 ** 2;

/** Largest file the app reads whole into a page (capsule files, results); larger ones are downloaded. */
export const MAX_FILE_READ_BYTES = MAX_REQUEST_BODY_BYTES;

/** Longest page a list route answers; `limit` above it is refused. */
export const MAX_PAGE_SIZE = 500;

/**
 * What one run may store, so that one run cannot fill the data disk. The admin changes them with
 * the services agent's `--max-*` flags (agents/services/README.md).
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
