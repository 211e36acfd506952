import type { AuditEntry } from '../../../common/protocol/audit.js';
import type { PlatformRegistry } from './platform-registry.js';

/** How often the platform is asked for new notices while someone listens. */
export const NOTICE_POLL_MS = 30_000;

/**
 * Follows the active platform's notices for this user (GET /me/notifications) and hands each new
 * one to `emit`. Starts after what exists when it starts, so a notice is told once per app; a
 * platform that cannot answer is asked again at the next tick.
 */
export function followNotices(platforms: PlatformRegistry, emit: (entry: AuditEntry) => void, intervalMs = NOTICE_POLL_MS): () => void {
  let after: number | null = null;
  let platformId: string | null = null;
  let stopped = false;
  const tick = async () => {
    await platforms
      .withActive(async (client, platform) => {
        if (platform.id !== platformId) {
          platformId = platform.id;
          after = null;
        }
        // The first look only finds where "now" is: what existed before is not news.
        const first = after === null;
        let page = await client.notifications(after ?? 0);
        while (page.items.length > 0) {
          if (!first) for (const entry of page.items) emit(entry);
          after = page.items.at(-1)!.seq;
          if (page.items.length < 100) break;
          page = await client.notifications(after);
        }
        after ??= 0;
      })
      .catch(() => undefined);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = () => {
    if (stopped) return;
    void tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
