import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../common/protocol/routes.js';
import { recordAudit } from './audit-log.js';
import type { Services } from './context.js';
import { costRollup } from './cost-rollup.js';
import { registerRoute } from './register-route.js';

export function registerCostRoutes(app: FastifyInstance, s: Services): void {
  const { pricing, budget } = s.costAndBackups;

  // Admins and PIs own the lab's cost; a researcher's roll-up is of their own runs.
  registerRoute(app, ROUTES.costRollup, async ({ query, principal }) =>
    costRollup(s.db, query.month, query.by, principal.user.role === 'researcher' ? principal.user.id : undefined),
  );

  registerRoute(app, ROUTES.getLocalRate, async () => ({ hourlyUsd: pricing.localRate() }));

  registerRoute(app, ROUTES.setLocalRate, async ({ body, principal }) => {
    await s.writes.run(() => {
      pricing.setLocalRate(body.hourlyUsd);
      recordAudit(s.db, {
        actor: { id: principal.user.id, name: principal.user.name },
        action: 'cost.set-local-rate',
        targetKind: 'cost',
        targetId: 'local-rate',
        summary: body.hourlyUsd === null ? 'cleared the local hourly rate (runs cost nothing)' : `set the local hourly rate to $${body.hourlyUsd}`,
        detail: { hourlyUsd: body.hourlyUsd },
      });
    });
    return { hourlyUsd: pricing.localRate() };
  });

  registerRoute(app, ROUTES.getBudget, async () => budget.state());
  registerRoute(app, ROUTES.setBudget, async ({ body, principal }) => budget.update(body, principal.user));
  registerRoute(app, ROUTES.checkBudget, async () => budget.check());
  registerRoute(app, ROUTES.resumeBudget, async ({ principal }) => budget.resume(principal.user));
}
