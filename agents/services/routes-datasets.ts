import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../common/protocol/routes.js';
import type { Services } from './context.js';
import { registerRoute } from './register-route.js';
import { cursorNumber, uploadStream } from './route-helpers.js';

export function registerDatasetRoutes(app: FastifyInstance, s: Services): void {
  registerRoute(app, ROUTES.listDatasets, async ({ query }) => s.datasets.list(query.limit, cursorNumber(query.cursor, 0)));

  registerRoute(app, ROUTES.createDataset, async ({ body }) => s.datasets.create(body.name, body.description));

  registerRoute(app, ROUTES.getDataset, async ({ params }) => s.datasets.get(params.id));

  registerRoute(app, ROUTES.uploadBlob, async ({ params }, req) => {
    s.datasets.get(params.id);
    return s.datasets.putBlob(params.id, params.sha256, uploadStream(req));
  });

  registerRoute(app, ROUTES.createVersion, async ({ params, body }, _req, reply) => {
    const { version, created } = await s.datasets.createVersion(params.id, body.files, body.message);
    if (!created) reply.code(200);
    return version;
  });

  registerRoute(app, ROUTES.listVersions, async ({ params, query }) => s.datasets.listVersions(params.id, query.limit, cursorNumber(query.cursor, Number.MAX_SAFE_INTEGER)));

  registerRoute(app, ROUTES.getVersion, async ({ params }) => s.datasets.getVersion(params.id, params.version));

  registerRoute(app, ROUTES.datasetFile, async ({ params }, _req, reply) => {
    const { entry, body } = await s.datasets.openFile(params.id, params.version, params['*']);
    return reply.header('content-length', entry.size).header('x-content-sha256', entry.sha256).send(body);
  });
}
