import { BudgetsClient, DescribeBudgetCommand, NotFoundException } from '@aws-sdk/client-budgets';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsBudgetSource } from './aws-budget-source.js';
import { migrate } from './db.js';
import { PlatformSettings } from './platform-settings.js';
import { AwsPriceList, hourlyFromProduct } from './price-list.js';
import { RunPricing } from './run-pricing.js';

const budgets = mockClient(BudgetsClient);
const sts = mockClient(STSClient);
const pricing = mockClient(PricingClient);
afterEach(() => {
  budgets.reset();
  sts.reset();
  pricing.reset();
});

// A GetProducts item as the Price List API writes it (one JSON string per product).
const product = (usd: string) =>
  JSON.stringify({
    product: { attributes: { instanceType: 'c6i.large', regionCode: 'eu-west-1' } },
    terms: { OnDemand: { 'ABC.JRTCKXETXF': { priceDimensions: { 'ABC.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: usd }, description: '$0.096 per On Demand Linux c6i.large Instance Hour' } } } } },
  });

describe('AwsBudgetSource', () => {
  it('reads the limit, actual and forecast of the named budget in the instance role’s account', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    budgets.on(DescribeBudgetCommand, { AccountId: '123456789012', BudgetName: 'benchtop-lab' }).resolves({
      Budget: {
        BudgetName: 'benchtop-lab', BudgetType: 'COST', TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: '250.0', Unit: 'USD' },
        CalculatedSpend: { ActualSpend: { Amount: '97.31', Unit: 'USD' }, ForecastedSpend: { Amount: '262.4', Unit: 'USD' } },
      },
    });
    const source = new AwsBudgetSource(new BudgetsClient({ region: 'us-east-1' }), new STSClient({ region: 'us-east-1' }), 'benchtop-lab');
    expect(await source.read()).toEqual({ name: 'benchtop-lab', limitUsd: 250, actualUsd: 97.31, forecastUsd: 262.4 });
    await source.read();
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('reads a budget that has no spend or forecast yet as nothing spent', async () => {
    budgets.on(DescribeBudgetCommand).resolves({ Budget: { BudgetName: 'b', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: '10', Unit: 'USD' } } });
    const source = new AwsBudgetSource(new BudgetsClient({ region: 'us-east-1' }), new STSClient({ region: 'us-east-1' }), 'b', '123456789012');
    expect(await source.read()).toEqual({ name: 'b', limitUsd: 10, actualUsd: 0, forecastUsd: null });
  });

  it('passes on AWS’s refusal (the guard keeps its last decision and shows the error)', async () => {
    budgets.on(DescribeBudgetCommand).rejects(new NotFoundException({ message: 'Unable to get budget: benchtop-gone - the budget doesn\'t exist.', $metadata: {} }));
    const source = new AwsBudgetSource(new BudgetsClient({ region: 'us-east-1' }), new STSClient({ region: 'us-east-1' }), 'benchtop-gone', '123456789012');
    await expect(source.read()).rejects.toThrow(/doesn't exist/);
  });
});

describe('AwsPriceList and RunPricing', () => {
  const settings = () => {
    const db = new Database(':memory:');
    migrate(db);
    return new PlatformSettings(db);
  };

  it('asks the Price List for Linux, shared tenancy, no pre-installed software, in the region', async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [product('0.0960000000')] });
    const price = await new AwsPriceList(new PricingClient({ region: 'us-east-1' })).hourly('eu-west-1', 'c6i.large');
    expect(price).toMatchObject({ hourlyUsd: 0.096, source: expect.stringMatching(/^AWS Price List, \d{4}-\d{2}-\d{2} \(on-demand, eu-west-1\)$/) });
    const filters = pricing.commandCalls(GetProductsCommand)[0]!.args[0].input.Filters!;
    expect(Object.fromEntries(filters.map((f) => [f.Field, f.Value]))).toEqual({
      instanceType: 'c6i.large', regionCode: 'eu-west-1', operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used',
    });
  });

  it('skips items that carry no hourly price', () => {
    expect(hourlyFromProduct('not json')).toBeNull();
    expect(hourlyFromProduct(product('0.0000000000'))).toBeNull();
    expect(hourlyFromProduct(JSON.stringify({ terms: {} }))).toBeNull();
  });

  it('prices from the Price List once per instance type, and from the dated table when it fails', async () => {
    pricing.on(GetProductsCommand).resolvesOnce({ PriceList: [product('0.1')] }).rejects(new Error('AccessDeniedException'));
    const logs: string[] = [];
    const runPricing = new RunPricing(settings(), { region: 'eu-west-1', priceList: new AwsPriceList(new PricingClient({ region: 'us-east-1' })), log: (m) => logs.push(m) });
    expect(await runPricing.priceFor({ instanceType: 'c6i.large' })).toMatchObject({ hourlyUsd: 0.1, source: expect.stringMatching(/AWS Price List/) });
    expect(await runPricing.priceFor({ instanceType: 'c6i.large' })).toMatchObject({ hourlyUsd: 0.1 });
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(1);
    expect(await runPricing.priceFor({ instanceType: 'm6i.large' })).toEqual({ hourlyUsd: 0.107, source: 'Benchtop price table of 2025-06-01 (on-demand, eu-west-1)' });
    expect(logs.join('\n')).toMatch(/Price List did not answer for m6i.large \(AccessDeniedException\)/);
  });
});
