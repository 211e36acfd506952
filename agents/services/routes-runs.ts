import type { FastifyInstance } from 'fastify';
import { LAST_EVENT_ID_HEADER, ROUTES } from '../../common/protocol/routes.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, isFinished } from '../../common/protocol/runs.js';
import type { Services } from './context.js';
import { registerRoute } from './register-route.js';

export function registerRunRoutes(app: FastifyInstance, s: Services): void {
  registerRoute(app, ROUTES.createRun, async ({ headers, body, principal }, _req, reply) => {
    const { run, replayed } = await s.runs.create(body, principal.user, headers[IDEMPOTENCY_KEY_HEADER]);
    // A replay creates nothing: 200 with the run the key made, as the protocol says.
    if (replayed) reply.code(200).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return run;
  });

  registerRoute(app, ROUTES.listRuns, async ({ query }) => s.runs.list(query));

  registerRoute(app, ROUTES.getRun, async ({ params }) => s.runs.get(params.id));

  registerRoute(app, ROUTES.cancelRun, async ({ params }) => s.runs.cancel(params.id));

  registerRoute(app, ROUTES.rerun, async ({ params, principal }) => s.runs.rerun(params.id, principal.user));

  registerRoute(app, ROUTES.runLogs, async ({ params, query }) => {
    const row = s.runs.row(params.id);
    const finished = isFinished(row.state);
    const items = s.logs.page(row.n, query.after, query.limit);
    const next = items.at(-1)?.seq ?? query.after;
    const done = finished && items.length < query.limit;
    return { items, next, done };
  });

  registerRoute(app, ROUTES.streamLogs, async ({ params, query, headers }, req, reply) => {
    const after = headers[LAST_EVENT_ID_HEADER] ?? query.after ?? 0;
    const row = s.runs.row(params.id);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': ROUTES.streamLogs.answer.contentType,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    reply.raw.flushHeaders();
    try {
      await s.logs.follow(row.id, row.n, reply.raw, { after, pageSize: s.sse.pageSize, keepAliveMs: s.sse.keepAliveMs });
    } catch (error) {
      req.log.error({ err: error }, 'log stream failed');
      reply.raw.destroy();
    }
  });

  registerRoute(app, ROUTES.runResults, async ({ params }) => s.results.manifest(params.id));

  registerRoute(app, ROUTES.resultFile, async ({ params }, _req, reply) => {
    const { entry, body } = await s.results.open(params.id, params['*']);
    return reply.header('content-length', entry.size).header('x-content-sha256', entry.sha256).send(body);
  });

  registerRoute(app, ROUTES.compareRuns, async ({ params }) => s.results.compare(params.a, params.b));
}
