import { z } from 'zod';

/** Which output a line came from. */
export const logStream = z.enum(['stdout', 'stderr']);

/**
 * One stored log line; `seq` is 1, 2, 3, ... per run, in order of arrival, across attempts. A log
 * over the services agent's per-run limit keeps its first lines and its latest ones: between them
 * one `stderr` line starting `[benchtop] ` says how many lines and bytes were dropped there, and
 * seq jumps after it (always increasing, so `after` paging and Last-Event-ID still work).
 */
export const logLine = z.object({
  seq: z.number().int().min(1),
  stream: logStream,
  /** Epoch milliseconds when the worker read the line. */
  ts: z.number(),
  text: z.string(),
});
export type LogLine = z.infer<typeof logLine>;

/** GET /api/v1/runs/:id/logs?after=SEQ&limit=N — lines with seq > after, oldest first. */
export const logsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** Answer of the logs page: `next` is the `after` to ask next; `done` once the run is finished and all lines are read. */
export const logsPage = z.object({ items: z.array(logLine), next: z.number().int(), done: z.boolean() });
export type LogsPage = z.infer<typeof logsPage>;

/**
 * GET /api/v1/runs/:id/logs/stream — Server-Sent Events. Each line is one event
 * `id: <seq>` / `event: line` / `data: <LogLine JSON>`; when the run is finished and every line was
 * sent, one `event: end` with `data: {"state": ...}` and the stream closes. Resume with the
 * `Last-Event-ID` header (or `?after=SEQ`): the stream starts at seq + 1, no gap, no duplicate.
 */
export const logStreamQuery = z.strictObject({ after: z.coerce.number().int().min(0).optional() });
export const LOG_EVENT = 'line';
export const END_EVENT = 'end';

/** One line a worker uploads (the server gives it its seq). */
export const logLineUpload = z.strictObject({
  stream: logStream,
  ts: z.number().finite(),
  text: z.string().max(64 * 1024),
});
export type LogLineUpload = z.infer<typeof logLineUpload>;

/**
 * POST /api/v1/leases/:id/logs (worker) — a batch of lines. `offset` is the index, within this
 * lease, of the batch's first line (0 for the first batch); lines the server already holds are
 * skipped, so a retried batch never duplicates. An offset beyond what the server holds is a gap: 409.
 */
export const logBatchRequest = z.strictObject({
  fencingToken: z.number().int().min(1),
  offset: z.number().int().min(0),
  lines: z.array(logLineUpload).max(10_000),
});
export type LogBatchRequest = z.infer<typeof logBatchRequest>;

/** Answer of a log batch: the offset the next batch must start at. */
export const logBatchResponse = z.object({ next: z.number().int() });
