import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../common/protocol/routes.js';
import { recordAudit } from './audit-log.js';
import type { Services } from './context.js';
import { registerRoute } from './register-route.js';

export function registerBackupRoutes(app: FastifyInstance, s: Services): void {
  const { backups, drills } = s.costAndBackups;

  registerRoute(app, ROUTES.listBackups, async () => {
    const next = backups.nextBackupAt;
    const { items, copiesError } = await backups.list();
    return {
      items,
      copiesError,
      location: backups.dir,
      uploadedTo: backups.uploadedTo,
      intervalSeconds: next === null ? null : Math.round(backups.intervalMs / 1000),
      nextAt: next === null ? null : new Date(next).toISOString(),
      keep: backups.keep,
      lastDrill: drills.last(),
      drillIntervalSeconds: drills.intervalMs === null ? null : Math.round(drills.intervalMs / 1000),
    };
  });

  registerRoute(app, ROUTES.createBackup, async ({ principal }) => {
    const name = basename(await backups.backupNow('manual'));
    await s.writes.run(() =>
      recordAudit(s.db, { actor: { id: principal.user.id, name: principal.user.name }, action: 'backup.create', targetKind: 'backup', targetId: name, summary: `took a backup of the database (${name})` }),
    );
    const made = (await backups.list()).items.find((b) => b.name === name);
    if (!made) throw new Error(`backup ${name} was written but is not listed (pruned at once? keep is ${backups.keep})`);
    return made;
  });

  registerRoute(app, ROUTES.restoreBackup, async ({ params, principal }) => s.costAndBackups.restore(params.name, principal.user));

  registerRoute(app, ROUTES.listDrills, async () => ({ items: drills.list() }));
  registerRoute(app, ROUTES.runDrill, async () => drills.run('manual'));
}
