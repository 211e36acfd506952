import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../common/protocol/routes.js';
import type { Services } from './context.js';
import { registerRoute } from './register-route.js';
import type { RunRow } from './run-record.js';
import { readableRun } from './run-guards.js';

/** How many downstream runs one answer lists at most (newest first). */
const MAX_DOWNSTREAM = 200;

export function registerLineageRoutes(app: FastifyInstance, s: Services): void {
  // The other direction of a run's `inputs`: the runs that read this one's results.
  registerRoute(app, ROUTES.runDownstream, async ({ params, principal }) => {
    readableRun(s, principal.user, params.id);
    const scope = s.access.runScope(principal.user, 'runs');
    const rows = s.db
      .prepare(`SELECT * FROM runs WHERE instr(inputs, ?) > 0 AND ${scope.sql} ORDER BY n DESC LIMIT ?`)
      .all(`"runId":"${params.id}"`, ...scope.args, MAX_DOWNSTREAM) as RunRow[];
    return { items: rows.map((r) => s.runs.present(r)) };
  });
}
