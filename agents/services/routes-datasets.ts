import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../common/protocol/routes.js';
import type { Services } from './context.js';
import { registerRoute } from './register-route.js';
import { cursorNumber, uploadStream } from './route-helpers.js';
import { updateSharing } from './sharing-update.js';

export function registerDatasetRoutes(app: FastifyInstance, s: Services): void {
  registerRoute(app, ROUTES.listDatasets, async ({ query, principal }) =>
    s.datasets.list(query.limit, cursorNumber(query.cursor, 0), s.access.readableScope(principal.user, 'dataset', 'x')),
  );

  registerRoute(app, ROUTES.createDataset, async ({ body, principal }) => s.datasets.create(body.name, body.description, body.visibility, principal.user));

  registerRoute(app, ROUTES.getDataset, async ({ params, principal }) => {
    s.access.require(principal.user, 'dataset', params.id, 'read');
    return s.datasets.get(params.id);
  });

  registerRoute(app, ROUTES.datasetSharing, async ({ params, body, principal }) => {
    s.access.require(principal.user, 'dataset', params.id, 'own');
    await s.writes.run(() => updateSharing(s.db, 'dataset', params.id, body, principal.user));
    return s.datasets.get(params.id);
  });

  registerRoute(app, ROUTES.uploadBlob, async ({ params, principal }, req) => {
    s.access.require(principal.user, 'dataset', params.id, 'edit');
    return s.datasets.putBlob(params.id, params.sha256, uploadStream(req));
  });

  registerRoute(app, ROUTES.startUpload, async ({ params, body, principal }) => {
    s.access.require(principal.user, 'dataset', params.id, 'edit');
    return s.datasets.startUpload(params.id, body.sha256, body.size, s.access.readableScope(principal.user, 'dataset', 'x'));
  });

  registerRoute(app, ROUTES.completeUpload, async ({ params, body, principal }) => {
    s.access.require(principal.user, 'dataset', params.id, 'edit');
    return s.datasets.completeUpload(params.id, body, s.access.readableScope(principal.user, 'dataset', 'x'));
  });

  registerRoute(app, ROUTES.createVersion, async ({ params, body, principal }, _req, reply) => {
    s.access.require(principal.user, 'dataset', params.id, 'edit');
    const { version, created } = await s.datasets.createVersion(params.id, body.files, body.message, principal.user, s.access.readableScope(principal.user, 'dataset', 'x'));
    if (!created) reply.code(200);
    return version;
  });

  registerRoute(app, ROUTES.listVersions, async ({ params, query, principal }) => {
    s.access.require(principal.user, 'dataset', params.id, 'read');
    return s.datasets.listVersions(params.id, query.limit, cursorNumber(query.cursor, Number.MAX_SAFE_INTEGER));
  });

  registerRoute(app, ROUTES.getVersion, async ({ params, principal }) => {
    s.access.require(principal.user, 'dataset', params.id, 'read');
    return s.datasets.getVersion(params.id, params.version);
  });

  registerRoute(app, ROUTES.datasetFile, async ({ params, principal }, _req, reply) => {
    s.access.require(principal.user, 'dataset', params.id, 'read');
    const { entry, body } = await s.datasets.openFile(params.id, params.version, params['*']);
    return reply.header('content-length', entry.size).header('x-content-sha256', entry.sha256).send(body);
  });
}
