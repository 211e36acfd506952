import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyVaultRestore, getVaultOverview, listDatabaseBackups, planVaultRestore, restoreDatabaseBackup, type VaultOverview } from '../../../common/api/backups.contract.js';
import { listDeployments } from '../../../common/api/settings.contract.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow('#/backups'));
afterEach(cleanup);

const POINT = 'arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0';
const KEPT_TEXT =
  'The current data volume vol-0aa is kept, not deleted: once the restore succeeds it is renamed benchtop-lab-data-before-restore-2026-12-01 and tagged benchtop:replaced-by-restore. It still costs about $8.80 a month until you delete it, in the EC2 console (Volumes) or with: aws ec2 delete-volume --volume-id vol-0aa --region eu-west-1';
const OLD = 'benchtop-2026-11-20T09-00-00-000Z.sqlite';

function backend(start: Partial<VaultOverview> = {}) {
  const b = createStandardBackend();
  let overview: VaultOverview = {
    vaultName: 'benchtop-uuid',
    volumeArn: 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0aa',
    plan: null,
    recoveryPoints: [{ arn: POINT, snapshotId: 'snap-0123456789abcdef0', resourceArn: null, resourceType: 'EBS', status: 'COMPLETED', createdAt: '2026-11-30T05:12:00.000Z', sizeBytes: 2 ** 30, deleteAt: null }],
    jobs: [],
    keptVolumes: [],
    earlierStackVolumes: [],
    restore: null,
    ...start,
  };
  const replaced = { volumeId: 'vol-0aa', name: 'benchtop-lab-data-before-restore-2026-12-01', monthlyCostUsd: 8.8, deleteCommand: 'aws ec2 delete-volume --volume-id vol-0aa --region eu-west-1', text: KEPT_TEXT };
  b.router.handle(listDeployments, () => ({ deployments: [{ id: '123456789012/eu-west-1/lab', name: 'lab', region: 'eu-west-1', profile: 'lab-admin', accountId: '123456789012', createdAt: '2026-11-23T12:00:00.000Z' }] }));
  b.router.handle(listDatabaseBackups, () => ({
    items: [{ name: OLD, createdAt: '2026-11-20T09:00:00.000Z', bytes: 4096, kind: 'scheduled' as const, keptIn: ['uploaded' as const] }],
    location: '/data/services/backups', uploadedTo: 's3://lab-results/backups/', copiesError: null, intervalSeconds: 21600, nextAt: null, keep: 7, lastDrill: null, drillIntervalSeconds: null,
  }));
  b.router.handle(restoreDatabaseBackup, ({ name }) => ({ restored: name, safetyBackup: 'benchtop-2026-12-01T11-00-00-000Z-before-restore.sqlite', runs: 3, capsules: 1, message: 'restored' }));
  b.router.handle(getVaultOverview, () => overview);
  b.router.handle(planVaultRestore, () => ({
    snapshotId: 'snap-0123456789abcdef0',
    replaced,
    plan: { stackName: 'lab', type: 'UPDATE' as const, changeSetName: 'benchtop-1', noChanges: false, changes: [], dataRisks: [{ action: 'Modify', logicalId: 'DataVolume', resourceType: 'AWS::EC2::Volume', replacement: 'True', stateful: true, destroysData: true }], diff: '[~] AWS::EC2::Volume DataVolume (replaced)' },
  }));
  b.router.handle(applyVaultRestore, ({ stackName }) => {
    const restore = { snapshotId: 'snap-0123456789abcdef0', replaced, state: 'kept' as const, newVolumeId: 'vol-0bb', message: 'Restored: the platform runs on vol-0bb. vol-0aa is kept as benchtop-lab-data-before-restore-2026-12-01.' };
    overview = {
      ...overview,
      restore,
      keptVolumes: [{ volumeId: 'vol-0aa', name: replaced.name, replacedBy: 'vol-0bb', state: 'available', sizeGiB: 100, createdAt: null, monthlyCostUsd: 8.8, deleteCommand: replaced.deleteCommand }],
    };
    return { started: true as const, stackName, restore: { ...restore, state: 'applying' as const, newVolumeId: null } };
  });
  return b;
}

describe('Backups page: what a restore keeps', () => {
  it('plans a restore that names the volume kept, its new name, its cost and how to delete it; applies it only with the stack name typed', async () => {
    const b = backend();
    const { user } = renderApp(b);
    await user.click(await screen.findByRole('button', { name: 'Plan a restore…' }));
    expect((await screen.findByLabelText('Current data volume')).textContent).toBe(KEPT_TEXT);
    const apply = screen.getByRole('button', { name: 'Apply the restore' }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);
    await user.type(screen.getByRole('textbox', { name: /Type lab to apply/ }), 'lab');
    await user.click(apply);
    expect(await screen.findByText(/once it succeeds, vol-0aa is renamed benchtop-lab-data-before-restore-2026-12-01/)).toBeTruthy();
    expect(b.calls.find((c) => c.name === 'backups:apply-vault-restore')?.input).toEqual({ target: { region: 'eu-west-1', profile: 'lab-admin' }, stackName: 'lab', changeSetName: 'benchtop-1', confirmDataLoss: 'lab' });
    const kept = await screen.findByRole('table', { name: 'Data volumes not in use' });
    const row = within(kept).getByText('vol-0aa').closest('tr') as HTMLElement;
    expect(within(row).getByText('$8.80')).toBeTruthy();
    expect(within(row).getByText('aws ec2 delete-volume --volume-id vol-0aa --region eu-west-1')).toBeTruthy();
    expect(screen.getByLabelText('Last restore').textContent).toMatch(/runs on vol-0bb/);
  });

  it('names the volumes an earlier stack of the same name kept apart from this stack’s', async () => {
    const earlier = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/lab/99999999-aaaa-bbbb-cccc-000000000000';
    renderApp(backend({ earlierStackVolumes: [{ volumeId: 'vol-0old1', stackId: earlier }, { volumeId: 'vol-0old2', stackId: earlier }] }));
    const note = await screen.findByLabelText('Volumes of an earlier stack');
    expect(note.textContent).toMatch(/^2 data volumes tagged with this stack’s name belong to an earlier stack of the same name .*: vol-0old1, vol-0old2\. /);
    expect(screen.queryByRole('table', { name: 'Data volumes not in use' })).toBeNull();
  });

  it('shows a database backup kept only in S3 and says it is downloaded and checked before a restore', async () => {
    const { user } = renderApp(backend());
    const row = (await screen.findByRole('table', { name: 'Database backups' })).querySelector('tbody tr') as HTMLElement;
    expect(within(row).getByText('s3://lab-results/backups/')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: `Restore ${OLD}` }));
    expect(screen.getByRole('form', { name: 'Confirm the restore' }).textContent).toMatch(/kept only in s3:\/\/lab-results\/backups\/: it is downloaded into a scratch folder and checked/);
  });
});
