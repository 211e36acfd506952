import { z } from 'zod';
import type { LeaseRequest } from '../../common/protocol/leases.js';
import { tablePrice, type HourlyPrice } from '../../common/cost/run-cost.js';
import type { PlatformSettings } from './platform-settings.js';
import type { PriceList } from './price-list.js';

const LOCAL_RATE_KEY = 'local-rate';
const localRateValue = z.number().min(0).nullable();
const PRICE_LIST_TTL_MS = 24 * 3600_000;
// A Price List that failed is asked again after this; the table answers meanwhile.
const PRICE_LIST_RETRY_MS = 3600_000;

export interface RunPricingOptions {
  /** The region workers run in (AWS); absent in the sandbox. */
  region?: string;
  priceList?: PriceList;
  now?: () => number;
  log?: (message: string) => void;
}

type Asked = Pick<LeaseRequest, 'instanceType' | 'hourlyCostUsd' | 'priceSource' | 'purchaseOption'>;

/**
 * The hourly price of the worker asking for a lease, and where it comes from, in this order: the
 * price the worker was given (--hourly-cost), its instance type priced by the AWS Price List when
 * reachable or else the shipped table, or — a worker with no instance type, the local sandbox —
 * the local rate set in the app, zero until one is set.
 */
export class RunPricing {
  private readonly cache = new Map<string, { price: HourlyPrice | null; until: number }>();
  private readonly now: () => number;

  constructor(
    private readonly settings: PlatformSettings,
    private readonly options: RunPricingOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  localRate(): number | null {
    return this.settings.get(LOCAL_RATE_KEY, localRateValue);
  }

  /** Call inside a write. */
  setLocalRate(hourlyUsd: number | null): void {
    this.settings.set(LOCAL_RATE_KEY, hourlyUsd);
  }

  async priceFor(asked: Asked): Promise<HourlyPrice | null> {
    if (asked.hourlyCostUsd !== undefined) return { hourlyUsd: asked.hourlyCostUsd, source: asked.priceSource ?? "the worker's --hourly-cost" };
    if (!asked.instanceType) {
      const rate = this.localRate();
      return rate === null
        ? { hourlyUsd: 0, source: 'local sandbox: no local rate set, so runs cost nothing' }
        : { hourlyUsd: rate, source: `local rate of $${rate}/hour set in the app` };
    }
    const price = await this.instancePrice(asked.instanceType);
    if (!price) return null;
    return asked.purchaseOption === 'spot' ? { ...price, source: `${price.source}; bought as spot, billed below this` } : price;
  }

  private async instancePrice(instanceType: string): Promise<HourlyPrice | null> {
    const region = this.options.region;
    if (!region) return null;
    const cached = this.cache.get(instanceType);
    if (cached && cached.until > this.now()) return cached.price ?? tablePrice(region, instanceType);
    let price: HourlyPrice | null = null;
    let until = this.now() + PRICE_LIST_TTL_MS;
    if (this.options.priceList) {
      try {
        price = await this.options.priceList.hourly(region, instanceType);
      } catch (error) {
        this.options.log?.(`the AWS Price List did not answer for ${instanceType} (${(error as Error).message}); using the shipped price table`);
        until = this.now() + PRICE_LIST_RETRY_MS;
      }
    }
    this.cache.set(instanceType, { price, until });
    return price ?? tablePrice(region, instanceType);
  }
}
