import { BudgetsClient, CreateNotificationCommand, DescribeBudgetCommand, DescribeNotificationsForBudgetCommand, DescribeSubscribersForNotificationCommand, NotFoundException, UpdateBudgetCommand } from '@aws-sdk/client-budgets';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CostExplorerClient, DataUnavailableException, GetCostAndUsageCommand, GetCostForecastCommand, ListCostAllocationTagsCommand, UpdateCostAllocationTagsStatusCommand } from '@aws-sdk/client-cost-explorer';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import * as api from '../../common/api/cost.contract.js';
import { Router } from '../../common/api/router.js';
import { createDeployClients } from '../deploy/deploy-clients.js';
import type { PlatformRegistry } from '../platform/connection/platform-registry.js';
import { registerCost } from './register-cost.js';

const ce = mockClient(CostExplorerClient);
const budgets = mockClient(BudgetsClient);
const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const target = { region: 'eu-west-1' };
// 2026-12-15 10:00 UTC
const NOW = Date.UTC(2026, 11, 15, 10);

function router() {
  const r = new Router();
  registerCost(r, {
    platforms: {} as PlatformRegistry,
    now: () => NOW,
    clients: {
      costExplorer: () => new CostExplorerClient({ region: 'us-east-1' }),
      budgets: () => new BudgetsClient({ region: 'us-east-1' }),
      sts: () => new STSClient({ region: 'eu-west-1' }),
      deploy: (t) => createDeployClients(t),
    },
  });
  return r;
}

const ctx = { transport: 'test' as const };
const group = (service: string, amount: string) => ({ Keys: [service], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } });

beforeEach(() => {
  for (const m of [ce, budgets, sts, cfn]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'lab', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Parameters: [] }] });
});

describe('cost:stack-cost (Cost Explorer)', () => {
  it('sums this month by day and service under the stack tag, with the forecast to the month end and the months before', async () => {
    ce.on(ListCostAllocationTagsCommand).resolves({ CostAllocationTags: [{ TagKey: 'benchtop:stack', Type: 'UserDefined', Status: 'Active' }] });
    ce.on(GetCostAndUsageCommand, { Granularity: 'DAILY' }).resolves({
      ResultsByTime: [
        { TimePeriod: { Start: '2026-12-01', End: '2026-12-02' }, Groups: [group('Amazon Elastic Compute Cloud - Compute', '3.10'), group('Amazon Elastic Load Balancing', '0.54')] },
        { TimePeriod: { Start: '2026-12-02', End: '2026-12-03' }, Groups: [group('Amazon Elastic Compute Cloud - Compute', '2.90')] },
      ],
    });
    ce.on(GetCostAndUsageCommand, { Granularity: 'MONTHLY' }).resolves({
      ResultsByTime: [{ TimePeriod: { Start: '2026-11-01', End: '2026-12-01' }, Total: { UnblendedCost: { Amount: '88.123', Unit: 'USD' } } }],
    });
    ce.on(GetCostForecastCommand).resolves({ Total: { Amount: '40.00', Unit: 'USD' } });
    const out = await router().invoke(api.getStackCost.name, { target, stackName: 'lab' }, ctx);
    expect(out).toMatchObject({
      ok: true,
      value: {
        tag: { key: 'benchtop:stack', status: 'Active' },
        monthToDate: { totalUsd: 6.54, byService: [{ service: 'Amazon Elastic Compute Cloud - Compute', usd: 6 }, { service: 'Amazon Elastic Load Balancing', usd: 0.54 }] },
        daily: [{ date: '2026-12-01', usd: 3.64 }, { date: '2026-12-02', usd: 2.9 }],
        forecastMonthUsd: 46.54,
        lastMonths: [{ month: '2026-11', usd: 88.12 }],
      },
    });
    const daily = ce.commandCalls(GetCostAndUsageCommand, { Granularity: 'DAILY' })[0]!.args[0].input;
    expect(daily.TimePeriod).toEqual({ Start: '2026-12-01', End: '2026-12-16' });
    expect(daily.Filter).toEqual({ Tags: { Key: 'benchtop:stack', Values: ['lab'], MatchOptions: ['EQUALS'] } });
    expect(ce.commandCalls(GetCostForecastCommand)[0]!.args[0].input.TimePeriod).toEqual({ Start: '2026-12-16', End: '2027-01-01' });
  });

  it('says when the tag is not active yet and when there is too little history to forecast', async () => {
    ce.on(ListCostAllocationTagsCommand).resolves({ CostAllocationTags: [] });
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    ce.on(GetCostForecastCommand).rejects(new DataUnavailableException({ message: 'Insufficient amount of historical data', $metadata: {} }));
    const out = await router().invoke(api.getStackCost.name, { target, stackName: 'lab' }, ctx);
    expect(out).toMatchObject({ ok: true, value: { tag: { status: 'not-found' }, forecastMonthUsd: null, forecastNote: expect.stringMatching(/too little history/) } });
  });

  it('activates the cost-allocation tag', async () => {
    ce.on(UpdateCostAllocationTagsStatusCommand).resolves({ Errors: [] });
    expect(await router().invoke(api.activateCostTag.name, { target }, ctx)).toEqual({ ok: true, value: { key: 'benchtop:stack', status: 'Active' } });
    expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand)[0]!.args[0].input.CostAllocationTagsStatus).toEqual([{ TagKey: 'benchtop:stack', Status: 'Active' }]);
  });
});

describe('cost:stack-budget (AWS Budgets)', () => {
  const budget = {
    BudgetName: 'benchtop-lab', BudgetType: 'COST' as const, TimeUnit: 'MONTHLY' as const,
    BudgetLimit: { Amount: '200', Unit: 'USD' },
    CalculatedSpend: { ActualSpend: { Amount: '120.5', Unit: 'USD' }, ForecastedSpend: { Amount: '230', Unit: 'USD' } },
  };
  const notification = { NotificationType: 'ACTUAL' as const, ComparisonOperator: 'GREATER_THAN' as const, Threshold: 80, ThresholdType: 'PERCENTAGE' as const };

  it('reads actual and forecast against the limit, with thresholds and subscribers', async () => {
    budgets.on(DescribeBudgetCommand).resolves({ Budget: budget });
    budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [notification] });
    budgets.on(DescribeSubscribersForNotificationCommand).resolves({ Subscribers: [{ SubscriptionType: 'SNS', Address: 'arn:aws:sns:eu-west-1:123456789012:alarms' }] });
    const out = await router().invoke(api.getStackBudget.name, { target, stackName: 'lab' }, ctx);
    expect(out).toEqual({
      ok: true,
      value: {
        name: 'benchtop-lab', exists: true, limitUsd: 200, actualUsd: 120.5, forecastUsd: 230,
        notifications: [{ notificationType: 'ACTUAL', comparison: 'GREATER_THAN', threshold: 80, thresholdType: 'PERCENTAGE', subscribers: [{ type: 'SNS', address: 'arn:aws:sns:eu-west-1:123456789012:alarms' }] }],
      },
    });
    expect(budgets.commandCalls(DescribeBudgetCommand)[0]!.args[0].input).toEqual({ AccountId: '123456789012', BudgetName: 'benchtop-lab' });
  });

  it('says there is no budget when the stack was made without one', async () => {
    budgets.on(DescribeBudgetCommand).rejects(new NotFoundException({ message: 'not found', $metadata: {} }));
    expect(await router().invoke(api.getStackBudget.name, { target, stackName: 'lab' }, ctx)).toMatchObject({ ok: true, value: { exists: false, limitUsd: null } });
  });

  it('raises the limit with the whole budget sent back (without AWS’s own spend figures) and adds an email threshold', async () => {
    budgets.on(DescribeBudgetCommand).resolves({ Budget: budget });
    budgets.on(DescribeNotificationsForBudgetCommand).resolves({ Notifications: [] });
    budgets.on(UpdateBudgetCommand).resolves({});
    budgets.on(CreateNotificationCommand).resolves({});
    await router().invoke(api.updateStackBudget.name, { target, stackName: 'lab', limitUsd: 350 }, ctx);
    const sent = budgets.commandCalls(UpdateBudgetCommand)[0]!.args[0].input.NewBudget!;
    expect(sent).toMatchObject({ BudgetName: 'benchtop-lab', BudgetLimit: { Amount: '350.00', Unit: 'USD' }, TimeUnit: 'MONTHLY' });
    expect(sent.CalculatedSpend).toBeUndefined();
    await router().invoke(api.addBudgetNotification.name, { target, stackName: 'lab', notificationType: 'FORECASTED', thresholdPercent: 100, email: 'pi@lab.example' }, ctx);
    expect(budgets.commandCalls(CreateNotificationCommand)[0]!.args[0].input).toMatchObject({
      BudgetName: 'benchtop-lab',
      Notification: { NotificationType: 'FORECASTED', Threshold: 100, ThresholdType: 'PERCENTAGE', ComparisonOperator: 'GREATER_THAN' },
      Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'pi@lab.example' }],
    });
  });

  it('refuses a limit of zero and an address that is not one, naming the field', async () => {
    expect(await router().invoke(api.updateStackBudget.name, { target, stackName: 'lab', limitUsd: 0 }, ctx)).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/limitUsd/) } });
    expect(await router().invoke(api.addBudgetNotification.name, { target, stackName: 'lab', notificationType: 'ACTUAL', thresholdPercent: 80, email: 'nope' }, ctx)).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/email/) } });
  });
});
