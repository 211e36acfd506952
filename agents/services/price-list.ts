import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { z } from 'zod';
import { createAwsClient } from '../../lib/aws/client-factory.js';
import type { HourlyPrice } from '../../common/cost/run-cost.js';

/** Looks up an instance type's on-demand Linux price; null when AWS has none for it. */
export interface PriceList {
  hourly(region: string, instanceType: string): Promise<HourlyPrice | null>;
}

// The Price List API answers in us-east-1 (also eu-central-1 and ap-south-1), whatever region is priced:
// https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html
const PRICING_REGION = 'us-east-1';

const product = z.object({
  terms: z.object({
    OnDemand: z.record(z.string(), z.object({ priceDimensions: z.record(z.string(), z.object({ unit: z.string(), pricePerUnit: z.object({ USD: z.string() }) })) })),
  }),
});

/** The first hourly USD price of a GetProducts item (one product, one on-demand term, one dimension). */
export function hourlyFromProduct(item: string): number | null {
  let raw: unknown;
  try {
    raw = JSON.parse(item);
  } catch {
    return null;
  }
  const parsed = product.safeParse(raw);
  if (!parsed.success) return null;
  for (const term of Object.values(parsed.data.terms.OnDemand)) {
    for (const dimension of Object.values(term.priceDimensions)) {
      const usd = Number(dimension.pricePerUnit.USD);
      if (dimension.unit === 'Hrs' && Number.isFinite(usd) && usd > 0) return usd;
    }
  }
  return null;
}

export class AwsPriceList implements PriceList {
  constructor(private readonly client: PricingClient = createAwsClient(PricingClient, { region: PRICING_REGION })) {}

  async hourly(region: string, instanceType: string): Promise<HourlyPrice | null> {
    const filter = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });
    const out = await this.client.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonEC2',
        Filters: [
          filter('instanceType', instanceType),
          filter('regionCode', region),
          filter('operatingSystem', 'Linux'),
          filter('tenancy', 'Shared'),
          filter('preInstalledSw', 'NA'),
          filter('capacitystatus', 'Used'),
        ],
        MaxResults: 10,
      }),
    );
    for (const item of out.PriceList ?? []) {
      const usd = hourlyFromProduct(item);
      if (usd !== null) return { hourlyUsd: usd, source: `AWS Price List, ${new Date().toISOString().slice(0, 10)} (on-demand, ${region})` };
    }
    return null;
  }
}
