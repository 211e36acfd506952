import type { FastifyInstance } from 'fastify';
import { idParams, pageQuery } from '../../common/protocol/common.js';
import { blobParams, createDatasetRequest, createVersionRequest, versionFileParams, versionParams } from '../../common/protocol/datasets.js';
import type { Services } from './context.js';
import { parseInput } from './http-error.js';
import { cursorNumber, uploadStream } from './route-helpers.js';

const READERS = ['admin', 'researcher', 'worker'] as const;
const WRITERS = ['admin', 'researcher'] as const;

export function registerDatasetRoutes(app: FastifyInstance, s: Services): void {
  app.get('/api/v1/datasets', { config: { access: READERS } }, async (req) => {
    const q = parseInput(pageQuery, req.query, 'query');
    return s.datasets.list(q.limit, cursorNumber(q.cursor, 0));
  });

  app.post('/api/v1/datasets', { config: { access: WRITERS } }, async (req, reply) => {
    const body = parseInput(createDatasetRequest, req.body, 'body');
    return reply.code(201).send(await s.datasets.create(body.name, body.description));
  });

  app.get('/api/v1/datasets/:id', { config: { access: READERS } }, async (req) => {
    const p = parseInput(idParams, req.params, 'params');
    return s.datasets.get(p.id);
  });

  app.put('/api/v1/datasets/:id/blobs/:sha256', { config: { access: WRITERS } }, async (req, reply) => {
    const p = parseInput(blobParams, req.params, 'params');
    s.datasets.get(p.id);
    return reply.code(201).send(await s.datasets.putBlob(p.id, p.sha256, uploadStream(req)));
  });

  app.post('/api/v1/datasets/:id/versions', { config: { access: WRITERS } }, async (req, reply) => {
    const p = parseInput(idParams, req.params, 'params');
    const body = parseInput(createVersionRequest, req.body, 'body');
    const { version, created } = await s.datasets.createVersion(p.id, body.files, body.message);
    return reply.code(created ? 201 : 200).send(version);
  });

  app.get('/api/v1/datasets/:id/versions', { config: { access: READERS } }, async (req) => {
    const p = parseInput(idParams, req.params, 'params');
    const q = parseInput(pageQuery, req.query, 'query');
    return s.datasets.listVersions(p.id, q.limit, cursorNumber(q.cursor, Number.MAX_SAFE_INTEGER));
  });

  app.get('/api/v1/datasets/:id/versions/:version', { config: { access: READERS } }, async (req) => {
    const p = parseInput(versionParams, req.params, 'params');
    return s.datasets.getVersion(p.id, p.version);
  });

  app.get('/api/v1/datasets/:id/versions/:version/files/*', { config: { access: READERS } }, async (req, reply) => {
    const p = parseInput(versionFileParams, req.params, 'params');
    const { entry, body } = await s.datasets.openFile(p.id, p.version, p['*']);
    return reply.type('application/octet-stream').header('content-length', entry.size).header('x-content-sha256', entry.sha256).send(body);
  });
}
