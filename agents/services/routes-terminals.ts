import type { FastifyInstance } from 'fastify';
import { runIsolation } from '../../common/protocol/runs.js';
import { ROUTES } from '../../common/protocol/routes.js';
import { RUN_TERMINAL_AUDIT_ACTION, type RunTerminalTarget } from '../../common/protocol/terminals.js';
import { recordAudit } from './audit-log.js';
import type { Services } from './context.js';
import { conflict } from './http-error.js';
import { registerRoute } from './register-route.js';
import { manageableRun } from './run-guards.js';

/** Where a running run lives, for a terminal into it; who asked goes into the audit trail. */
export function registerTerminalRoutes(app: FastifyInstance, s: Services): void {
  registerRoute(app, ROUTES.openRunTerminal, async ({ params, principal }) => {
    const row = manageableRun(s, principal.user, params.id, 'open a terminal into');
    if (row.state !== 'running' || !row.worker_id) {
      throw conflict(`run ${row.id} is ${row.state}: a terminal opens only into a running run`);
    }
    const parsed = row.isolation ? runIsolation.safeParse(JSON.parse(row.isolation)) : undefined;
    const isolation = parsed?.success ? parsed.data.kind : null;
    const target: RunTerminalTarget = {
      runId: row.id,
      state: row.state,
      workerId: row.worker_id,
      runtime: isolation === 'container' ? 'docker' : 'process',
      containerNamePrefix: `benchtop-${row.id}-`,
      isolation,
    };
    await s.writes.run(() =>
      recordAudit(s.db, {
        actor: principal.user,
        action: RUN_TERMINAL_AUDIT_ACTION,
        targetKind: 'run',
        targetId: row.id,
        summary: `${principal.user.name} opened a terminal into run ${row.id} on ${row.worker_id}`,
        detail: { workerId: row.worker_id, runtime: target.runtime },
      }),
    );
    return target;
  });
}
