import type { LogModelOptions } from '../researcher/runs/use-log-model.js';

/**
 * The log view of a followed log group (the Logs page, and bench/observe.ts measuring it): 20,000
 * lines held (memory flat over hours), and live lines applied four times a second. A group at
 * Live Tail's 500 events/s replaces the whole screen at every flush, so nobody reads more often,
 * and each flush lays out and paints a screenful: fewer flushes are fewer long frames.
 */
export const FOLLOW_VIEW_OPTIONS: LogModelOptions = { maxChunks: 40, liveIntervalMs: 250 };
