import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { id } from '../../common/protocol/common.js';
import { logsQuery, logStreamQuery } from '../../common/protocol/logs.js';
import { resultFileParams } from '../../common/protocol/results.js';
import { createRunRequest, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, isFinished, runListQuery, runParams } from '../../common/protocol/runs.js';
import type { Services } from './context.js';
import { badInput, parseInput } from './http-error.js';
import { principalOf, singleHeader } from './route-helpers.js';

const PEOPLE = ['admin', 'researcher'] as const;
const compareParams = z.strictObject({ a: id, b: id });
const runFileParams = resultFileParams.extend({ id });

export function registerRunRoutes(app: FastifyInstance, s: Services): void {
  app.post('/api/v1/runs', { config: { access: PEOPLE } }, async (req, reply) => {
    const key = singleHeader(req, IDEMPOTENCY_KEY_HEADER, 200);
    const body = parseInput(createRunRequest, req.body, 'body');
    const { run, replayed } = await s.runs.create(body, principalOf(req).user, key);
    // A replay creates nothing: 200 with the run the key made, as the protocol says.
    if (replayed) return reply.code(200).header(IDEMPOTENT_REPLAYED_HEADER, 'true').send(run);
    return reply.code(201).send(run);
  });

  app.get('/api/v1/runs', { config: { access: PEOPLE } }, async (req) => s.runs.list(parseInput(runListQuery, req.query, 'query')));

  app.get('/api/v1/runs/:id', { config: { access: PEOPLE } }, async (req) => s.runs.get(parseInput(runParams, req.params, 'params').id));

  app.post('/api/v1/runs/:id/cancel', { config: { access: PEOPLE } }, async (req) => s.runs.cancel(parseInput(runParams, req.params, 'params').id));

  app.post('/api/v1/runs/:id/rerun', { config: { access: PEOPLE } }, async (req, reply) => {
    const p = parseInput(runParams, req.params, 'params');
    return reply.code(201).send(await s.runs.rerun(p.id, principalOf(req).user));
  });

  app.get('/api/v1/runs/:id/logs', { config: { access: PEOPLE } }, async (req) => {
    const p = parseInput(runParams, req.params, 'params');
    const q = parseInput(logsQuery, req.query, 'query');
    const row = s.runs.row(p.id);
    const finished = isFinished(row.state);
    const items = s.logs.page(row.n, q.after, q.limit);
    const next = items.at(-1)?.seq ?? q.after;
    const done = finished && items.length < q.limit;
    return { items, next, done };
  });

  // No HEAD twin: a HEAD request would hold a follower open for nothing.
  app.get('/api/v1/runs/:id/logs/stream', { exposeHeadRoute: false, config: { access: PEOPLE } }, async (req, reply) => {
    const p = parseInput(runParams, req.params, 'params');
    const q = parseInput(logStreamQuery, req.query, 'query');
    const lastEventId = singleHeader(req, 'last-event-id', 20);
    let after = q.after ?? 0;
    if (lastEventId !== undefined) {
      if (!/^\d{1,15}$/.test(lastEventId)) throw badInput('headers.last-event-id: must be the seq (a number) of the last line received');
      after = Number(lastEventId);
    }
    const row = s.runs.row(p.id);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
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

  app.get('/api/v1/runs/:id/results', { config: { access: PEOPLE } }, async (req) => s.results.manifest(parseInput(runParams, req.params, 'params').id));

  app.get('/api/v1/runs/:id/results/*', { config: { access: PEOPLE } }, async (req, reply) => {
    const p = parseInput(runFileParams, req.params, 'params');
    const { entry, body } = await s.results.open(p.id, p['*']);
    return reply.type('application/octet-stream').header('content-length', entry.size).header('x-content-sha256', entry.sha256).send(body);
  });

  app.get('/api/v1/runs/:a/compare/:b', { config: { access: PEOPLE } }, async (req) => {
    const p = parseInput(compareParams, req.params, 'params');
    return s.results.compare(p.a, p.b);
  });
}
