import { z } from 'zod';
import { MAX_FILE_READ_BYTES } from '../limits.js';
import {
  comparison,
  createRunRequest,
  dataset,
  id,
  logLine,
  logsPage,
  queueName,
  relativePath,
  resultsManifest,
  run,
  runState,
} from '../protocol/index.js';
import { fileContent } from './capsules.contract.js';
import { defineCall, defineEvent } from './contract.js';

// Run calls proxy the active platform with its token. Logs come three ways: a window of lines by
// seq (the virtualized view asks only for what is on screen), the count (to size the view), and a
// live stream in batches (one message per ~100 ms, never one per line).

export const listRuns = defineCall('runs:list', {
  input: z
    .object({
      state: runState.optional(),
      queue: queueName.optional(),
      capsuleId: id.optional(),
      limit: z.number().int().min(1).max(500).default(100),
      cursor: z.string().max(200).optional(),
    })
    .strict()
    .optional(),
  output: z.object({ items: z.array(run), next: z.string().optional() }),
});

export const getRun = defineCall('runs:get', { input: z.object({ id }).strict(), output: run });

/** `idempotencyKey` makes a retried submit (double click, lost answer) give the same run. */
export const launchRun = defineCall('runs:launch', {
  input: createRunRequest.extend({ idempotencyKey: z.string().min(8).max(200).optional() }),
  output: run,
});

export const cancelRun = defineCall('runs:cancel', { input: z.object({ id }).strict(), output: run });
export const rerunRun = defineCall('runs:rerun', { input: z.object({ id }).strict(), output: run });

export const listDatasets = defineCall('runs:list-datasets', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ items: z.array(dataset) }),
});

export const readLogs = defineCall('runs:read-logs', {
  input: z.object({ id, after: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(10_000).default(1000) }).strict(),
  output: logsPage,
});

/** How many lines the run has logged so far, and whether it is finished. */
export const countLogs = defineCall('runs:count-logs', {
  input: z.object({ id }).strict(),
  output: z.object({ total: z.number().int(), done: z.boolean() }),
});

export const searchLogs = defineCall('runs:search-logs', {
  input: z
    .object({
      id,
      query: z.string().min(1, 'must not be empty').max(200),
      caseSensitive: z.boolean().default(false),
      /** Stop after this many matches. */
      limit: z.number().int().min(1).max(10_000).default(1000),
    })
    .strict(),
  output: z.object({ matches: z.array(logLine), scanned: z.number().int(), truncated: z.boolean() }),
});

/** Live lines with seq > after, in batches; `end` comes once, when the run is finished and every line was sent. */
export const followLogs = defineEvent('runs:follow-logs', {
  input: z.object({ id, after: z.number().int().min(0).default(0) }).strict(),
  payload: z.object({ lines: z.array(logLine), end: runState.optional() }),
});

export const listResults = defineCall('runs:results', { input: z.object({ id }).strict(), output: resultsManifest });

export const readResult = defineCall('runs:read-result', {
  input: z.object({ id, path: relativePath, maxBytes: z.number().int().min(1).max(MAX_FILE_READ_BYTES).optional() }).strict(),
  output: fileContent,
});

export const compareRuns = defineCall('runs:compare', {
  input: z.object({ a: id, b: id }).strict(),
  output: comparison,
});

/** A run launched from this app finished (for the notification); the run as it ended. */
export const runFinished = defineEvent('runs:finished', {
  input: z.void().or(z.object({}).strict()),
  payload: z.object({ run }),
});
