import { healthResponse } from '../../common/protocol/health.js';
import { errorText } from '../../lib/aws/error-meaning.js';

/** What the platform's public health route says, or why it could not be read. */
export type PlatformHealth =
  | { reachable: true; url: string; version: string; workers: { version: string; count: number }[]; workersOnline: number }
  | { reachable: false; url: string; message: string };

/**
 * GET <url>/api/v1/health, which needs no token: enough for the CLI to compare the services
 * agent's and the workers' versions with the stack's without the admin token.
 */
export async function readPlatformHealth(url: string, timeoutMs = 5_000, fetchImpl: typeof fetch = fetch): Promise<PlatformHealth> {
  const base = url.replace(/\/+$/, '');
  try {
    const response = await fetchImpl(`${base}/api/v1/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { reachable: false, url: base, message: `it answered HTTP ${response.status}` };
    const health = healthResponse.parse(await response.json());
    const counts = new Map<string, number>();
    for (const q of [health.queues.cpu, health.queues.gpu]) for (const w of q.workerVersions) counts.set(w.version, (counts.get(w.version) ?? 0) + w.count);
    return {
      reachable: true,
      url: base,
      version: health.version,
      workers: [...counts].map(([version, count]) => ({ version, count })),
      workersOnline: health.queues.cpu.workersOnline + health.queues.gpu.workersOnline,
    };
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    return { reachable: false, url: base, message: errorText(cause ?? e) };
  }
}
