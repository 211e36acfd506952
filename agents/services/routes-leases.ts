import type { FastifyInstance } from 'fastify';
import { completeRequest, heartbeatRequest, leaseParams, leaseRequest } from '../../common/protocol/leases.js';
import { logBatchRequest } from '../../common/protocol/logs.js';
import { resultUploadHeaders, resultUploadParams } from '../../common/protocol/results.js';
import { id } from '../../common/protocol/common.js';
import type { Services } from './context.js';
import { parseInput } from './http-error.js';
import { uploadStream } from './route-helpers.js';

const WORKER = ['worker'] as const;
const uploadParams = resultUploadParams.extend({ id });

export function registerLeaseRoutes(app: FastifyInstance, s: Services): void {
  app.post('/api/v1/leases', { config: { access: WORKER } }, async (req, reply) => {
    const body = parseInput(leaseRequest, req.body, 'body');
    // A worker that hangs up mid-poll must not be handed a run it will never see.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    req.raw.socket.once('close', onClose);
    if (req.raw.socket.destroyed) gone.abort();
    try {
      const lease = await s.leases.acquire(body, gone.signal);
      if (!lease) return reply.code(204).send();
      return lease;
    } finally {
      req.raw.socket.off('close', onClose);
    }
  });

  app.post('/api/v1/leases/:id/heartbeat', { config: { access: WORKER } }, async (req) => {
    const p = parseInput(leaseParams, req.params, 'params');
    const body = parseInput(heartbeatRequest, req.body, 'body');
    return s.leases.heartbeat(p.id, body.fencingToken, body.started, body.isolation);
  });

  app.post('/api/v1/leases/:id/logs', { config: { access: WORKER } }, async (req) => {
    const p = parseInput(leaseParams, req.params, 'params');
    const body = parseInput(logBatchRequest, req.body, 'body');
    const out = await s.leases.appendLogs(p.id, body.fencingToken, body.offset, body.lines);
    if (s.logSink && out.added > 0) {
      const fresh = body.lines.slice(body.lines.length - out.added);
      s.logSink.write(out.runId, fresh.map((l, i) => ({ seq: out.firstSeq + i, ...l })));
    }
    return { next: out.next };
  });

  app.put('/api/v1/leases/:id/results/*', { config: { access: WORKER } }, async (req, reply) => {
    const p = parseInput(uploadParams, req.params, 'params');
    const h = parseInput(resultUploadHeaders, req.headers, 'headers');
    const entry = await s.results.upload(p.id, h['x-fencing-token'], p['*'], h['x-content-sha256'], uploadStream(req));
    return reply.code(201).send(entry);
  });

  app.post('/api/v1/leases/:id/complete', { config: { access: WORKER } }, async (req) => {
    const p = parseInput(leaseParams, req.params, 'params');
    const body = parseInput(completeRequest, req.body, 'body');
    return s.leases.complete(p.id, body);
  });
}
