import type { FastifyInstance } from 'fastify';
import { idParams, pageQuery } from '../../common/protocol/common.js';
import { queueParams, scalingRequest, type QueueStatus } from '../../common/protocol/health.js';
import { createTokenRequest, createUserRequest } from '../../common/protocol/users.js';
import type { QueueName } from '../../common/protocol/common.js';
import type { Services } from './context.js';
import { parseInput } from './http-error.js';
import { prometheusText } from './metrics.js';
import { cursorNumber, principalOf } from './route-helpers.js';

export function queueStatuses(s: Services): Record<QueueName, QueueStatus> {
  const byQueue = s.runs.queueCounts();
  const status = (queue: QueueName): QueueStatus => ({
    queue,
    queued: byQueue[queue].queued,
    running: byQueue[queue].running,
    workersOnline: s.presence.online(queue),
    scalingUp: s.presence.isScaling(queue),
  });
  return { cpu: status('cpu'), gpu: status('gpu') };
}

export function registerAdminRoutes(app: FastifyInstance, s: Services): void {
  app.get('/api/v1/health', { config: { access: 'public' } }, async () => ({
    status: 'ok' as const,
    version: s.version,
    uptimeSeconds: Math.round((Date.now() - s.startedAt) / 100) / 10,
    queues: queueStatuses(s),
  }));

  app.get('/api/v1/queues', { config: { access: 'any' } }, async () => {
    const q = queueStatuses(s);
    return { items: [q.cpu, q.gpu] };
  });

  app.post('/api/v1/queues/:queue/scaling', { config: { access: ['admin'] } }, async (req) => {
    const { queue } = parseInput(queueParams, req.params, 'params');
    const body = parseInput(scalingRequest, req.body, 'body');
    s.presence.setScaling(queue, body.scalingUp);
    return queueStatuses(s)[queue];
  });

  app.get('/api/v1/me', { config: { access: 'any' } }, async (req) => {
    const p = principalOf(req);
    return { user: p.user, tokenId: p.tokenId };
  });

  app.get('/api/v1/users', { config: { access: ['admin'] } }, async (req) => {
    const q = parseInput(pageQuery, req.query, 'query');
    return s.users.listUsers(q.limit, cursorNumber(q.cursor, 0));
  });

  app.post('/api/v1/users', { config: { access: ['admin'] } }, async (req, reply) => {
    const body = parseInput(createUserRequest, req.body, 'body');
    const user = await s.writes.run(() => s.users.createUser(body.name, body.role));
    return reply.code(201).send(user);
  });

  app.get('/api/v1/users/:id/tokens', { config: { access: ['admin'] } }, async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    return { items: s.users.listTokens(id) };
  });

  app.post('/api/v1/users/:id/tokens', { config: { access: ['admin'] } }, async (req, reply) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const body = parseInput(createTokenRequest, req.body ?? {}, 'body');
    const token = await s.writes.run(() => s.users.createToken(id, body.label));
    return reply.code(201).send(token);
  });

  app.delete('/api/v1/tokens/:id', { config: { access: ['admin'] } }, async (req) => {
    const { id } = parseInput(idParams, req.params, 'params');
    return s.writes.run(() => s.users.revokeToken(id));
  });

  app.get('/metrics', { config: { access: 'any' } }, async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(prometheusText(s.snapshot(), s.durations)),
  );
}
