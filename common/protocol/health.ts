import { z } from 'zod';
import { queueName } from './common.js';

/** Live state of one queue. */
export const queueStatus = z.object({
  queue: queueName,
  /** Runs waiting for a worker. */
  queued: z.number().int(),
  /** Runs leased or running. */
  running: z.number().int(),
  /** Workers that polled or heartbeated on this queue recently. */
  workersOnline: z.number().int(),
  /** Set by the scaler (admin) while it adds workers for this queue. */
  scalingUp: z.boolean(),
  /** GPUs of the online workers that reported theirs, by model (an older services agent sends none). */
  gpus: z.array(z.object({ model: z.string(), count: z.number().int() })).default([]),
  /** The online workers that announced their agent version, counted by version (an older services agent sends none). */
  workerVersions: z.array(z.object({ version: z.string(), count: z.number().int() })).default([]),
});
export type QueueStatus = z.infer<typeof queueStatus>;

/** GET /api/v1/health (no token needed): version, uptime, queue depths. */
export const healthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number(),
  queues: z.object({ cpu: queueStatus, gpu: queueStatus }),
});
export type HealthResponse = z.infer<typeof healthResponse>;

/** GET /api/v1/queues: status of every queue. */
export const queuesResponse = z.object({ items: z.array(queueStatus) });

/** POST /api/v1/queues/:queue/scaling (admin): the scaler says whether it is adding workers. */
export const scalingRequest = z.strictObject({ scalingUp: z.boolean() });
export const queueParams = z.strictObject({ queue: queueName });
