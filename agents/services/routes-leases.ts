import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../common/protocol/routes.js';
import type { Services } from './context.js';
import type { Released } from './lease-manager.js';
import { registerRoute } from './register-route.js';
import { uploadStream } from './route-helpers.js';

export function registerLeaseRoutes(app: FastifyInstance, s: Services): void {
  // The line a release writes to the run's log goes to the sink too, whoever gave the lease back.
  const sinkLine = ({ run, logged }: Released) => {
    if (s.logSink && logged) s.logSink.write(run.id, [{ seq: logged.seq, ...logged.line }]);
  };

  registerRoute(app, ROUTES.lease, async ({ body }, req, reply) => {
    // A worker that hangs up mid-poll must not be handed a run it will never see.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    req.raw.socket.once('close', onClose);
    if (req.raw.socket.destroyed) gone.abort();
    try {
      const lease = await s.leases.acquire(body, gone.signal, sinkLine);
      if (!lease) return reply.code(204).send();
      return lease;
    } finally {
      req.raw.socket.off('close', onClose);
    }
  });

  registerRoute(app, ROUTES.heartbeat, async ({ params, body }) => s.leases.heartbeat(params.id, body.fencingToken, body.started, body.isolation, body.environment));

  registerRoute(app, ROUTES.uploadLogs, async ({ params, body }) => {
    const out = await s.leases.appendLogs(params.id, body.fencingToken, body.offset, body.lines);
    if (s.logSink && out.added > 0) {
      const fresh = body.lines.slice(body.lines.length - out.added);
      s.logSink.write(out.runId, fresh.map((l, i) => ({ seq: out.firstSeq + i, ...l })));
    }
    return { next: out.next };
  });

  registerRoute(app, ROUTES.uploadResult, async ({ params, headers }, req) =>
    s.results.upload(params.id, headers['x-fencing-token'], params['*'], headers['x-content-sha256'], uploadStream(req)),
  );

  registerRoute(app, ROUTES.complete, async ({ params, body }) => s.leases.complete(params.id, body));

  registerRoute(app, ROUTES.release, async ({ params, body }) => {
    const released = await s.leases.release(params.id, body.fencingToken, body.reason);
    sinkLine(released);
    const { logged: _logged, ...answer } = released;
    return answer;
  });
}
