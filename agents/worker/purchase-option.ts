import type { PurchaseOption } from '../../common/protocol/cost.js';

/** IMDSv2 on EC2; tests point it at a local server. */
export const IMDS_URL = 'http://169.254.169.254';

/**
 * How this EC2 instance is bought, from its metadata (`instance-life-cycle`: "spot" or
 * "on-demand"; "scheduled" is billed as on-demand). A mixed worker group launches both, so the
 * boot cannot say; the worker asks once at start. Off EC2, or when the metadata does not answer
 * within the timeout, the option is left unknown and the run is priced on-demand.
 */
export async function readPurchaseOption(base = IMDS_URL, timeoutMs = 1000): Promise<PurchaseOption | undefined> {
  try {
    const token = await fetch(`${base}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!token.ok) return undefined;
    const res = await fetch(`${base}/latest/meta-data/instance-life-cycle`, {
      headers: { 'x-aws-ec2-metadata-token': await token.text() },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    const lifecycle = (await res.text()).trim();
    return lifecycle === 'spot' ? 'spot' : 'on-demand';
  } catch {
    return undefined;
  }
}
