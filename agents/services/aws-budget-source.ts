import { BudgetsClient, DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { BudgetReading, BudgetSource } from './budget-source.js';

/**
 * The stack's budget read from AWS Budgets with the services instance's own role
 * (budgets:ViewBudget): no credential comes from the desktop. AWS refreshes a budget's spend a few
 * times a day, so reading it every few minutes is plenty.
 */
export class AwsBudgetSource implements BudgetSource {
  readonly kind = 'aws-budgets' as const;
  private accountId: string | undefined;

  constructor(
    private readonly budgets: BudgetsClient,
    private readonly sts: STSClient,
    private readonly budgetName: string,
    accountId?: string,
  ) {
    this.accountId = accountId;
  }

  async read(): Promise<BudgetReading> {
    this.accountId ??= (await this.sts.send(new GetCallerIdentityCommand({}))).Account;
    if (!this.accountId) throw new Error('STS did not say which account this instance is in');
    const { Budget: budget } = await this.budgets.send(new DescribeBudgetCommand({ AccountId: this.accountId, BudgetName: this.budgetName }));
    if (!budget) throw new Error(`AWS Budgets has no budget named ${this.budgetName}`);
    const amount = (value: string | undefined) => (value === undefined || value === '' ? null : Number(value));
    return {
      name: this.budgetName,
      limitUsd: amount(budget.BudgetLimit?.Amount),
      actualUsd: amount(budget.CalculatedSpend?.ActualSpend?.Amount) ?? 0,
      forecastUsd: amount(budget.CalculatedSpend?.ForecastedSpend?.Amount),
    };
  }
}
