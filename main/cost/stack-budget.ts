import {
  type BudgetsClient,
  CreateNotificationCommand,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  UpdateBudgetCommand,
} from '@aws-sdk/client-budgets';
import type { StackBudget } from '../../common/api/cost.contract.js';
import { errorName } from '../../lib/aws/error-meaning.js';

/** The budget templates/platform.yaml creates when MonthlyBudgetUsd is above 0. */
export const budgetNameOf = (stackName: string) => `benchtop-${stackName}`;

const amount = (value: string | undefined) => (value === undefined || value === '' ? null : Number(value));

export async function readStackBudget(budgets: BudgetsClient, accountId: string, stackName: string): Promise<StackBudget> {
  const name = budgetNameOf(stackName);
  let budget;
  try {
    budget = (await budgets.send(new DescribeBudgetCommand({ AccountId: accountId, BudgetName: name }))).Budget;
  } catch (error) {
    if (errorName(error) === 'NotFoundException') return { name, exists: false, limitUsd: null, actualUsd: null, forecastUsd: null, notifications: [] };
    throw error;
  }
  const notifications = (await budgets.send(new DescribeNotificationsForBudgetCommand({ AccountId: accountId, BudgetName: name }))).Notifications ?? [];
  const withSubscribers = await Promise.all(
    notifications.map(async (n) => {
      const subscribers = (await budgets.send(new DescribeSubscribersForNotificationCommand({ AccountId: accountId, BudgetName: name, Notification: n }))).Subscribers ?? [];
      return {
        notificationType: n.NotificationType === 'FORECASTED' ? ('FORECASTED' as const) : ('ACTUAL' as const),
        comparison: n.ComparisonOperator ?? 'GREATER_THAN',
        threshold: n.Threshold ?? 0,
        thresholdType: n.ThresholdType ?? 'PERCENTAGE',
        subscribers: subscribers.map((s) => ({ type: s.SubscriptionType ?? 'EMAIL', address: s.Address ?? '' })),
      };
    }),
  );
  return {
    name,
    exists: true,
    limitUsd: amount(budget?.BudgetLimit?.Amount),
    actualUsd: amount(budget?.CalculatedSpend?.ActualSpend?.Amount),
    forecastUsd: amount(budget?.CalculatedSpend?.ForecastedSpend?.Amount),
    notifications: withSubscribers,
  };
}

/** UpdateBudget replaces the whole budget: the current one is read and sent back with the new limit. */
export async function updateStackBudgetLimit(budgets: BudgetsClient, accountId: string, stackName: string, limitUsd: number): Promise<void> {
  const name = budgetNameOf(stackName);
  const current = (await budgets.send(new DescribeBudgetCommand({ AccountId: accountId, BudgetName: name }))).Budget;
  if (!current) throw new Error(`AWS Budgets has no budget named ${name}`);
  // CalculatedSpend is AWS's own figure; sending it back is refused.
  const { CalculatedSpend: _spend, ...rest } = current;
  await budgets.send(new UpdateBudgetCommand({ AccountId: accountId, NewBudget: { ...rest, BudgetLimit: { Amount: limitUsd.toFixed(2), Unit: 'USD' } } }));
}

export async function addEmailNotification(
  budgets: BudgetsClient,
  accountId: string,
  stackName: string,
  input: { notificationType: 'ACTUAL' | 'FORECASTED'; thresholdPercent: number; email: string },
): Promise<void> {
  await budgets.send(
    new CreateNotificationCommand({
      AccountId: accountId,
      BudgetName: budgetNameOf(stackName),
      Notification: { NotificationType: input.notificationType, ComparisonOperator: 'GREATER_THAN', Threshold: input.thresholdPercent, ThresholdType: 'PERCENTAGE' },
      Subscribers: [{ SubscriptionType: 'EMAIL', Address: input.email }],
    }),
  );
}
