import { z } from 'zod';
import { budgetSettingsRequest, budgetState, costRollup, localRate, localRateRequest, month, rollupDimension } from '../protocol/cost.js';
import { defineCall } from './contract.js';
import { deployTarget } from './deploy.contract.js';
import { stackName } from './settings.contract.js';

// The PI's Cost page. From the active platform: each run's cost rolled up per month, the local
// rate (sandbox) and the budget's hard stop. From AWS with the admin's or PI's own credentials:
// what the stack costs (Cost Explorer, by its benchtop:stack cost-allocation tag) and its budget
// (AWS Budgets).

export const getRollup = defineCall('cost:rollup', {
  input: z.object({ month, by: rollupDimension.default('researcher') }).strict(),
  output: costRollup,
});

/** The roll-up as CSV text, with the file name to save it under. */
export const exportRollupCsv = defineCall('cost:export-csv', {
  input: z.object({ month, by: rollupDimension.default('researcher') }).strict(),
  output: z.object({ filename: z.string(), csv: z.string() }),
});

export const getLocalRate = defineCall('cost:get-local-rate', { input: z.void().or(z.object({}).strict()), output: localRate });
export const setLocalRate = defineCall('cost:set-local-rate', { input: localRateRequest, output: localRate });

export const getPlatformBudget = defineCall('cost:get-platform-budget', { input: z.void().or(z.object({}).strict()), output: budgetState });
export const setPlatformBudget = defineCall('cost:set-platform-budget', { input: budgetSettingsRequest, output: budgetState });
export const checkPlatformBudget = defineCall('cost:check-platform-budget', { input: z.void().or(z.object({}).strict()), output: budgetState });
export const resumePlatformBudget = defineCall('cost:resume-platform-budget', { input: z.void().or(z.object({}).strict()), output: budgetState });

const stackInput = z.object({ target: deployTarget, stackName }).strict();

export const costAllocationTag = z.object({
  key: z.string(),
  /** Active: Cost Explorer can filter by it; Inactive: it must be activated (data then appears after about a day). */
  status: z.enum(['Active', 'Inactive', 'not-found']),
});

export const stackCost = z.object({
  stackName: z.string(),
  tag: costAllocationTag,
  currency: z.literal('USD'),
  /** This month up to today (UTC), by service. */
  monthToDate: z.object({ totalUsd: z.number(), byService: z.array(z.object({ service: z.string(), usd: z.number() })) }),
  /** One bar per day of this month so far. */
  daily: z.array(z.object({ date: z.string(), usd: z.number() })),
  /** Month to date plus Cost Explorer's forecast of the rest; null when it has too little history. */
  forecastMonthUsd: z.number().nullable(),
  forecastNote: z.string().nullable(),
  lastMonths: z.array(z.object({ month, usd: z.number() })),
  /** What the stack costs idle per month (the cost model, from its parameters). */
  idleEstimateMonthlyUsd: z.number().nullable(),
});
export type StackCost = z.infer<typeof stackCost>;

export const getStackCost = defineCall('cost:stack-cost', { input: stackInput, output: stackCost });
export const activateCostTag = defineCall('cost:activate-tag', { input: z.object({ target: deployTarget }).strict(), output: costAllocationTag });

export const budgetNotification = z.object({
  notificationType: z.enum(['ACTUAL', 'FORECASTED']),
  comparison: z.enum(['GREATER_THAN', 'LESS_THAN', 'EQUAL_TO']),
  threshold: z.number(),
  thresholdType: z.enum(['PERCENTAGE', 'ABSOLUTE_VALUE']),
  subscribers: z.array(z.object({ type: z.enum(['SNS', 'EMAIL']), address: z.string() })),
});

export const stackBudget = z.object({
  name: z.string(),
  exists: z.boolean(),
  limitUsd: z.number().nullable(),
  actualUsd: z.number().nullable(),
  forecastUsd: z.number().nullable(),
  notifications: z.array(budgetNotification),
});
export type StackBudget = z.infer<typeof stackBudget>;

export const getStackBudget = defineCall('cost:stack-budget', { input: stackInput, output: stackBudget });
export const updateStackBudget = defineCall('cost:update-stack-budget', {
  input: z.object({ target: deployTarget, stackName, limitUsd: z.number().positive('must be more than $0').max(10_000_000) }).strict(),
  output: stackBudget,
});
export const addBudgetNotification = defineCall('cost:add-budget-notification', {
  input: z
    .object({
      target: deployTarget,
      stackName,
      notificationType: z.enum(['ACTUAL', 'FORECASTED']),
      thresholdPercent: z.number().positive().max(1000),
      email: z.email('must be an email address'),
    })
    .strict(),
  output: stackBudget,
});
