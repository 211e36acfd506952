import { z } from 'zod';
import { id } from '../protocol/common.js';
import { run } from '../protocol/runs.js';
import { defineCall } from './contract.js';

/** The runs that read this run's results (the other direction of a run's `inputs`), newest first. */
export const listDownstreamRuns = defineCall('runs:downstream', {
  input: z.object({ id }).strict(),
  output: z.object({ items: z.array(run) }),
});
