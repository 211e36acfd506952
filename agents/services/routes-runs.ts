import type { FastifyInstance } from 'fastify';
import { LAST_EVENT_ID_HEADER, ROUTES } from '../../common/protocol/routes.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, isFinished } from '../../common/protocol/runs.js';
import type { Services } from './context.js';
import { registerRoute } from './register-route.js';
import { materializeInputs } from './pipeline-inputs.js';
import { manageableRun, readableRun, requireLaunch, requireRelaunch } from './run-guards.js';

export function registerRunRoutes(app: FastifyInstance, s: Services): void {
  registerRoute(app, ROUTES.createRun, async ({ headers, body, principal }, _req, reply) => {
    requireLaunch(s, principal.user, body);
    const { body: withInputs, inputs } = await materializeInputs(s, principal.user, body);
    const { run, replayed } = await s.runs.create(withInputs, principal.user, headers[IDEMPOTENCY_KEY_HEADER], inputs);
    // A replay creates nothing: 200 with the run the key made, as the protocol says.
    if (replayed) reply.code(200).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return run;
  });

  registerRoute(app, ROUTES.listRuns, async ({ query, principal }) => s.runs.list(query, s.access.runScope(principal.user, 'runs')));

  registerRoute(app, ROUTES.getRun, async ({ params, principal }) => s.runs.present(readableRun(s, principal.user, params.id)));

  registerRoute(app, ROUTES.cancelRun, async ({ params, principal }) => {
    manageableRun(s, principal.user, params.id, 'cancel');
    return s.runs.cancel(params.id, principal.user);
  });

  registerRoute(app, ROUTES.rerun, async ({ params, principal }) => {
    requireRelaunch(s, principal.user, manageableRun(s, principal.user, params.id, 're-run'));
    return s.runs.rerun(params.id, principal.user);
  });

  registerRoute(app, ROUTES.runLogs, async ({ params, query, principal }) => {
    const row = readableRun(s, principal.user, params.id);
    const finished = isFinished(row.state);
    const items = s.logs.page(row.n, query.after, query.limit);
    const next = items.at(-1)?.seq ?? query.after;
    const done = finished && items.length < query.limit;
    return { items, next, done };
  });

  registerRoute(app, ROUTES.streamLogs, async ({ params, query, headers, principal }, req, reply) => {
    const after = headers[LAST_EVENT_ID_HEADER] ?? query.after ?? 0;
    const row = readableRun(s, principal.user, params.id);
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

  registerRoute(app, ROUTES.runResults, async ({ params, principal }) => {
    readableRun(s, principal.user, params.id);
    return s.results.manifest(params.id);
  });

  registerRoute(app, ROUTES.resultFile, async ({ params, principal }, _req, reply) => {
    readableRun(s, principal.user, params.id);
    const { entry, body } = await s.results.open(params.id, params['*']);
    return reply.header('content-length', entry.size).header('x-content-sha256', entry.sha256).send(body);
  });

  registerRoute(app, ROUTES.compareRuns, async ({ params, principal }) => {
    readableRun(s, principal.user, params.a);
    readableRun(s, principal.user, params.b);
    return s.results.compare(params.a, params.b);
  });
}
