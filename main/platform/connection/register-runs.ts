import { FINISHED_STATES } from '../../../common/protocol/index.js';
import { MAX_VIEW_BYTES } from '../../../common/api/capsules.contract.js';
import type { Router } from '../../../common/api/router.js';
import {
  cancelRun,
  compareRuns,
  countLogs,
  followLogs as followLogsEvent,
  getRun,
  launchRun,
  listDatasets,
  listResults,
  listRuns,
  readLogs,
  readResult,
  rerunRun,
  runFinished,
  searchLogs,
} from '../../../common/api/runs.contract.js';
import { toFileContent, readUpTo } from './file-content.js';
import type { FinishedRunsWatcher } from './finished-runs.js';
import { followLogs } from './follow-logs.js';
import { countLogLines, searchLogLines } from './log-queries.js';
import type { PlatformRegistry } from './platform-registry.js';

export function registerRuns(router: Router, platforms: PlatformRegistry, finished: FinishedRunsWatcher): void {
  router
    .handle(listRuns, (input) =>
      platforms.withActive((client) =>
        client.listRuns({
          limit: input?.limit ?? 100,
          ...(input?.state ? { state: input.state } : {}),
          ...(input?.queue ? { queue: input.queue } : {}),
          ...(input?.capsuleId ? { capsuleId: input.capsuleId } : {}),
          ...(input?.cursor ? { cursor: input.cursor } : {}),
        }),
      ),
    )
    .handle(getRun, ({ id }) => platforms.withActive((client) => client.getRun(id)))
    .handle(launchRun, ({ idempotencyKey, ...body }) =>
      platforms.withActive(async (client) => {
        const run = await client.createRun(body, idempotencyKey ? { idempotencyKey } : {});
        if (!FINISHED_STATES.includes(run.state)) finished.track(run.id, client);
        return run;
      }),
    )
    .handle(cancelRun, ({ id }) => platforms.withActive((client) => client.cancelRun(id)))
    .handle(rerunRun, ({ id }) =>
      platforms.withActive(async (client) => {
        const run = await client.rerun(id);
        finished.track(run.id, client);
        return run;
      }),
    )
    .handle(listDatasets, () =>
      platforms.withActive(async (client) => {
        const page = await client.listDatasets({ limit: 500 });
        return { items: page.items };
      }),
    )
    .handle(readLogs, ({ id, after, limit }) => platforms.withActive((client) => client.logs(id, { after, limit })))
    .handle(countLogs, ({ id }) => platforms.withActive((client) => countLogLines(client, id)))
    .handle(searchLogs, ({ id, query, caseSensitive, limit }) => platforms.withActive((client) => searchLogLines(client, id, { query, caseSensitive, limit })))
    .handle(listResults, ({ id }) => platforms.withActive((client) => client.results(id)))
    .handle(readResult, ({ id, path, maxBytes }) =>
      platforms.withActive(async (client) => {
        const body = await readUpTo(await client.resultFile(id, path), maxBytes ?? MAX_VIEW_BYTES);
        return toFileContent(path, body.bytes, body.size, body.truncated);
      }),
    )
    .handle(compareRuns, ({ a, b }) => platforms.withActive((client) => client.compare(a, b)))
    .handleEvent(followLogsEvent, ({ id, after }, emit, signal) =>
      platforms.withActive((client) => followLogs(client, id, emit, { after, signal })),
    )
    .handleEvent(runFinished, (_input, emit) => finished.subscribe((run) => emit({ run })));
}
