import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabaseBackup, listDatabaseBackups, restoreDatabaseBackup, runRestoreDrill } from '../../../common/api/backups.contract.js';
import { listDeployments } from '../../../common/api/settings.contract.js';
import type { BackupList, DatabaseBackup, RestoreDrill } from '../../../common/protocol/backups.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow('#/backups'));
afterEach(cleanup);

const NAME = 'benchtop-2026-12-01T09-00-00-000Z-manual.sqlite';
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

function backend(items: DatabaseBackup[]) {
  const b = createStandardBackend();
  let drill: RestoreDrill | null = null;
  const list = (): BackupList => ({
    items, location: '/data/services/backups', uploadedTo: null, copiesError: null, intervalSeconds: 21600, nextAt: hoursAgo(-3), keep: 7, lastDrill: drill, drillIntervalSeconds: 86400,
  });
  b.router.handle(listDeployments, () => ({ deployments: [] }));
  b.router.handle(listDatabaseBackups, list);
  b.router.handle(createDatabaseBackup, () => {
    const made: DatabaseBackup = { name: NAME, createdAt: hoursAgo(0), bytes: 4096, kind: 'manual', keptIn: ['local'] };
    items.unshift(made);
    return made;
  });
  b.router.handle(runRestoreDrill, () =>
    (drill = {
      id: 1, startedAt: hoursAgo(0), finishedAt: hoursAgo(0), trigger: 'manual', backup: NAME, ok: true, integrity: 'ok',
      backupRuns: 1204, backupCapsules: 12, liveRuns: 1210, liveCapsules: 12, message: 'ok',
    }),
  );
  b.router.handle(restoreDatabaseBackup, ({ name }) => ({ restored: name, safetyBackup: 'benchtop-2026-12-01T11-00-00-000Z-before-restore.sqlite', runs: 1204, capsules: 12, message: 'The platform now holds the records of the backup.' }));
  return b;
}

describe('Backups page', () => {
  it('says why there is nothing yet, takes a backup, and shows the drill as "ok, just now, 1,204 runs"', async () => {
    const { user } = renderApp(backend([]));
    expect(await screen.findByText('No backup of the platform database yet')).toBeTruthy();
    expect(screen.getByText(/No restore drill yet/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Back up now' }));
    expect(await screen.findByRole('table', { name: 'Database backups' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Run a restore drill' }));
    expect((await screen.findByText(/last drill: ok, just now, 1,204 runs/)).getAttribute('role')).toBe('status');
  });

  it('restores only once the backup’s name is typed', async () => {
    const b = backend([{ name: NAME, createdAt: hoursAgo(2), bytes: 8192, kind: 'manual', keptIn: ['local'] }]);
    const { user } = renderApp(b);
    const row = (await screen.findByRole('table', { name: 'Database backups' })).querySelector('tbody tr') as HTMLElement;
    expect(within(row).getByText('(2 h ago)')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: `Restore ${NAME}` }));
    const restore = screen.getByRole('button', { name: 'Restore the platform' }) as HTMLButtonElement;
    expect(restore.disabled).toBe(true);
    await user.type(screen.getByRole('textbox', { name: `Type ${NAME} to restore` }), NAME);
    expect(restore.disabled).toBe(false);
    await user.click(restore);
    expect(await screen.findByText('The platform now holds the records of the backup.')).toBeTruthy();
    expect(b.calls.find((c) => c.name === 'backups:restore-database')?.input).toEqual({ name: NAME, confirm: NAME });
  });
});
