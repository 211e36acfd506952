import type { FastifyInstance } from 'fastify';
import type { QueueStatus } from '../../common/protocol/health.js';
import type { QueueName } from '../../common/protocol/common.js';
import { ROUTES } from '../../common/protocol/routes.js';
import { listAudit, notificationsFor } from './audit-log.js';
import type { Services } from './context.js';
import { prometheusText } from './metrics.js';
import { registerRoute } from './register-route.js';
import { cursorNumber } from './route-helpers.js';

export function queueStatuses(s: Services): Record<QueueName, QueueStatus> {
  const byQueue = s.runs.queueCounts();
  const status = (queue: QueueName): QueueStatus => ({
    queue,
    queued: byQueue[queue].queued,
    running: byQueue[queue].running,
    workersOnline: s.presence.online(queue),
    scalingUp: s.presence.isScaling(queue),
    gpus: s.presence.gpus(queue),
    workerVersions: s.presence.versions(queue),
  });
  return { cpu: status('cpu'), gpu: status('gpu') };
}

export function registerAdminRoutes(app: FastifyInstance, s: Services): void {
  registerRoute(app, ROUTES.health, async () => ({
    status: 'ok' as const,
    version: s.version,
    uptimeSeconds: Math.round((Date.now() - s.startedAt) / 100) / 10,
    queues: queueStatuses(s),
  }), { quiet: true });

  registerRoute(app, ROUTES.queues, async () => {
    const q = queueStatuses(s);
    return { items: [q.cpu, q.gpu] };
  });

  registerRoute(app, ROUTES.setScaling, async ({ params, body }) => {
    s.presence.setScaling(params.queue, body.scalingUp);
    return queueStatuses(s)[params.queue];
  });

  registerRoute(app, ROUTES.me, async ({ principal }) => ({ user: principal.user, tokenId: principal.tokenId }));

  registerRoute(app, ROUTES.listUsers, async ({ query }) => s.users.listUsers(query.limit, cursorNumber(query.cursor, 0)));

  registerRoute(app, ROUTES.createUser, async ({ body, principal }) => s.writes.run(() => s.users.createUser(body.name, body.role, principal.user)));

  registerRoute(app, ROUTES.listTokens, async ({ params }) => ({ items: s.users.listTokens(params.id) }));

  registerRoute(app, ROUTES.createToken, async ({ params, body, principal }) => s.writes.run(() => s.users.createToken(params.id, body.label, principal.user)));

  registerRoute(app, ROUTES.revokeToken, async ({ params, principal }) => s.writes.run(() => s.users.revokeToken(params.id, principal.user)));

  registerRoute(app, ROUTES.setUserRole, async ({ params, body, principal }) => s.writes.run(() => s.users.setRole(params.id, body.role, principal.user)));

  registerRoute(app, ROUTES.revokeUserTokens, async ({ params, principal }) => ({ items: await s.writes.run(() => s.users.revokeUserTokens(params.id, principal.user)) }));

  registerRoute(app, ROUTES.listPeople, async () => ({ items: s.users.listPeople() }));

  registerRoute(app, ROUTES.audit, async ({ query }) => listAudit(s.db, query));

  registerRoute(app, ROUTES.myNotifications, async ({ query, principal }) => ({ items: notificationsFor(s.db, principal.user.id, query.after) }));

  registerRoute(app, ROUTES.metrics, async (_input, _req, reply) => reply.send(prometheusText(s.snapshot(), s.durations)), { quiet: true });
}
