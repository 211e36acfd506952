import { z } from 'zod';
import { defineCall } from './contract.js';

export const appInfo = z.object({
  name: z.literal('Benchtop'),
  version: z.string(),
  /** `desktop`: inside the Electron shell; `browser`: a tab on the loopback host. */
  shell: z.enum(['desktop', 'browser']),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof appInfo>;

export const getAppInfo = defineCall('app:get-info', { input: z.void().or(z.object({}).strict()), output: appInfo });
