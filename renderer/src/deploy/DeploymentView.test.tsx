import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as deploy from '../../../common/api/deploy.contract.js';
import * as platforms from '../../../common/api/platforms.contract.js';
import { listDeployments, removeDeployment } from '../../../common/api/settings.contract.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

type Status = Partial<deploy.DeployStackStatus> & { status: string };
const ID = '123456789012/eu-west-1/lab-prod';
const lab = { id: ID, name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', accountId: '123456789012', createdAt: '2026-11-23T12:00:00.000Z' };

function backendWithStack(initial: Status | string = 'UPDATE_COMPLETE', options: { connection?: platforms.DeploymentConnection; watchFails?: boolean } = {}) {
  const backend = createStandardBackend();
  const r = backend.router;
  let current: Status = typeof initial === 'string' ? { status: initial } : initial;
  const setStatus = (next: Status) => (current = next);
  r.handle(listDeployments, () => ({ deployments: [lab, { ...lab, id: '210987654321/eu-west-1/lab-prod', accountId: '210987654321', profile: 'other' }] }));
  r.handle(deploy.getStatus, ({ stackName }) => ({
    stackName,
    exists: true,
    message: `${stackName} is ${current.status}.`,
    actions: current.status === 'UPDATE_ROLLBACK_FAILED' ? [{ kind: 'continue-rollback' as const, resourcesToSkip: ['CpuWorkerGroup'] }] : [],
    version: { deployed: '0.0.9', available: '0.1.0', updateAvailable: true, downgrade: false, workers: [], advice: [] },
    outputs: [{ key: 'Url', value: 'https://bench.lab.example.org' }],
    terminationProtection: true,
    deploymentId: ID,
    forgotten: false,
    operationRunning: false,
    ...current,
  }));
  r.handle(deploy.listEvents, () => ({ events: [] }));
  r.handle(removeDeployment, () => ({ removed: true }));
  r.handle(deploy.createPlan, ({ stackName }) => ({
    stackName,
    type: 'UPDATE' as const,
    changeSetName: 'benchtop-2',
    noChanges: false,
    changes: [{ action: 'Modify', logicalId: 'DataVolume', resourceType: 'AWS::EC2::Volume', replacement: 'True', stateful: true, destroysData: true }],
    dataRisks: [{ action: 'Modify', logicalId: 'DataVolume', resourceType: 'AWS::EC2::Volume', replacement: 'True', stateful: true, destroysData: true }],
    diff: '[~] AWS::EC2::Volume DataVolume (replaced) ⚠ DATA LOSS',
  }));
  r.handle(deploy.applyPlan, ({ stackName }) => ({ started: true as const, stackName }));
  r.handle(deploy.deleteStack, ({ stackName }) => ({ started: true as const, stackName }));
  r.handle(deploy.recoverStack, ({ stackName }) => ({ started: true as const, stackName }));
  r.handleEvent(deploy.watchStack, async (_i, emit) => {
    if (options.watchFails) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error('Stack with id lab-prod does not exist');
    }
    setTimeout(() => emit({ type: 'final', status: 'UPDATE_COMPLETE', ok: true }), 5);
  });
  const platformInfo = { id: 'lab-prod-eu-west-1', name: 'lab-prod (eu-west-1)', url: 'https://bench.lab.example.org', kind: 'remote' as const, hasToken: true, active: true, deploymentId: ID };
  let connection: platforms.DeploymentConnection = options.connection ?? { state: 'connected', message: 'Connected to https://bench.lab.example.org with the admin token of lab-prod.' };
  const answer = () =>
    connection.state === 'connected'
      ? { connection, platform: { platform: platformInfo, state: 'connected' as const, version: '0.1.0', queues: { cpu: { queued: 1, running: 2, workersOnline: 3, gpus: [] }, gpu: { queued: 0, running: 0, workersOnline: 0, gpus: [] } } } }
      : { connection, platform: null };
  r.handle(platforms.getDeploymentPlatform, answer);
  r.handle(platforms.connectDeployment, () => {
    connection = { state: 'connected', message: 'Connected.' };
    return answer();
  });
  return { backend, setStatus };
}

beforeEach(() => resetWindow('#/deployment'));
afterEach(cleanup);

describe('Deployment page', () => {
  it('lists the same stack name in two accounts apart, and sends the chosen account with every call', async () => {
    const { backend } = backendWithStack();
    const { user } = renderApp(backend);
    // Generous waits: the first render of the app shell is slow on a loaded machine.
    const picker = await screen.findByRole('combobox', { name: 'Deployment' }, { timeout: 15_000 });
    expect(within(picker).getAllByRole('option').map((o) => o.textContent)).toEqual(['lab-prod (eu-west-1, account 123456789012, profile lab-admin)', 'lab-prod (eu-west-1, account 210987654321, profile other)']);
    await screen.findByTestId('stack-status', {}, { timeout: 15_000 });
    await user.selectOptions(picker, '210987654321/eu-west-1/lab-prod');
    await waitFor(() => expect(backend.calls.filter((c) => c.name === 'deploy:status').at(-1)?.input).toMatchObject({ target: { profile: 'other', accountId: '210987654321' } }), { timeout: 15_000 });
  });

  it('shows status, version and outputs, and gates a data-destroying update behind the typed stack name', async () => {
    const { backend } = backendWithStack();
    const { user } = renderApp(backend);
    expect((await screen.findByTestId('stack-status')).textContent).toBe('UPDATE_COMPLETE');
    expect(screen.getByRole('table', { name: 'Stack outputs' }).textContent).toContain('https://bench.lab.example.org');
    expect(screen.getByRole('button', { name: 'Copy Url' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Plan the update' }));
    const apply = await screen.findByRole('button', { name: 'Apply the update' });
    expect((apply as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByRole('textbox', { name: /Removes or replaces data \(DataVolume\)/ }), 'lab-prod');
    await user.click(apply);
    expect(await screen.findByText('Finished: UPDATE_COMPLETE')).toBeTruthy();
    expect(backend.calls).toContainEqual({ name: 'deploy:apply', input: { target: { region: 'eu-west-1', profile: 'lab-admin', accountId: '123456789012' }, stackName: 'lab-prod', changeSetName: 'benchtop-2', confirmDataLoss: 'lab-prod' } });
  });

  it('shows the platform the app connected beside the stack: its state, version and workers', async () => {
    const { backend } = backendWithStack();
    renderApp(backend);
    const card = await screen.findByRole('region', { name: 'Platform' });
    expect((await within(card).findByTestId('platform-state')).textContent).toBe('Connected');
    expect(within(card).getByTestId('platform-version').textContent).toBe('0.1.0');
    expect(card.textContent).toContain('Workers online: 3 CPU, 0 GPU; runs queued: 1, running: 2.');
    expect(card.textContent).toContain('(the active platform for Capsules and Runs)');
  });

  it('says why the platform is not connected yet and connects it on request', async () => {
    const { backend } = backendWithStack('UPDATE_COMPLETE', { connection: { state: 'failed', message: 'Your AWS identity may not read the admin token /benchtop/lab-prod/admin-token.', fix: 'Use the profile of the admin who installed the stack.' } });
    const { user } = renderApp(backend);
    const card = await screen.findByRole('region', { name: 'Platform' });
    expect((await within(card).findByRole('alert')).textContent).toBe('Your AWS identity may not read the admin token /benchtop/lab-prod/admin-token. Use the profile of the admin who installed the stack.');
    await user.click(within(card).getByRole('button', { name: 'Connect the platform' }));
    expect((await within(card).findByTestId('platform-version')).textContent).toBe('0.1.0');
    expect(backend.calls).toContainEqual({ name: 'platforms:connect-deployment', input: { deploymentId: ID } });
  });

  it('refuses to offer a downgrade and says which to upgrade', async () => {
    const { backend } = backendWithStack({
      status: 'UPDATE_COMPLETE',
      version: { deployed: '0.2.0', available: '0.1.0', updateAvailable: false, downgrade: true, services: '0.1.5', workers: [], advice: [
        { upgrade: 'app', message: 'The stack runs version 0.2.0, newer than this app\'s 0.1.0: upgrade Benchtop to 0.2.0 or newer.' },
        { upgrade: 'agents', message: 'The services agent runs 0.1.5, but the stack installed 0.2.0.' },
      ] },
    });
    renderApp(backend);
    const versions = await screen.findByRole('list', { name: 'Versions' });
    expect(within(versions).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      "Upgrade the app: The stack runs version 0.2.0, newer than this app's 0.1.0: upgrade Benchtop to 0.2.0 or newer.",
      'Upgrade the agents: The services agent runs 0.1.5, but the stack installed 0.2.0.',
    ]);
    expect(screen.queryByRole('button', { name: 'Plan the update' })).toBeNull();
  });

  it('deletes only after the stack name is typed, keeping data unless asked, then shows what went and what stayed', async () => {
    const { backend, setStatus } = backendWithStack();
    const { user } = renderApp(backend);
    const del = await screen.findByRole('button', { name: 'Delete lab-prod' });
    expect((del as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByRole('textbox', { name: /Type lab-prod to confirm/ }), 'lab-prod');
    await user.click(screen.getByRole('checkbox', { name: /Also delete the data/ }));
    setStatus({
      status: 'DELETE_COMPLETE',
      exists: false,
      deploymentId: undefined,
      lastDelete: {
        status: 'DELETE_COMPLETE',
        ok: true,
        deleted: [{ logicalId: 'ResultsBucket', resourceType: 'AWS::S3::Bucket', physicalId: 'lab-prod-results', detail: '12 object versions' }],
        kept: [{ logicalId: 'BackupVault', resourceType: 'AWS::Backup::BackupVault', physicalId: 'benchtop-lab-prod', why: 'AWS Backup refused to delete 1 recovery point: arn:rp (locked)' }],
      },
    });
    await user.click(del);
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'deploy:delete')?.input).toMatchObject({ confirm: 'lab-prod', deleteData: true }));
    expect((await screen.findByTestId('stack-gone')).textContent).toContain('lab-prod no longer exists in eu-west-1, account 123456789012, so Benchtop no longer lists it');
    const report = screen.getByRole('group', { name: 'What the delete did' });
    expect(report.textContent).toContain('ResultsBucket (AWS::S3::Bucket) lab-prod-results — 12 object versions');
    expect(report.textContent).toContain('BackupVault (AWS::Backup::BackupVault) benchtop-lab-prod: AWS Backup refused to delete 1 recovery point');
    expect(screen.getByRole('link', { name: 'Install again from Setup' }).getAttribute('href')).toBe('#/setup');
  });

  it('does not forget an entry whose stack is not found under the profile\'s account by itself, but offers to', async () => {
    const { backend } = backendWithStack({ status: 'DELETE_COMPLETE', exists: false, accountId: '123456789012' });
    const { user } = renderApp(backend);
    expect((await screen.findByTestId('stack-gone')).textContent).toBe(
      "There is no stack lab-prod in eu-west-1 for account 123456789012, which the profile lab-admin signs in to. If it was installed in another account, choose that account's profile in the header; if it is gone, remove it from the list.",
    );
    await user.click(screen.getByRole('button', { name: 'Remove lab-prod from the list' }));
    await waitFor(() => expect(backend.calls).toContainEqual({ name: 'settings:remove-deployment', input: { id: ID } }));
  });

  it('offers to continue a failed rollback, skipping what failed', async () => {
    const { backend } = backendWithStack('UPDATE_ROLLBACK_FAILED');
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Continue the rollback, skipping CpuWorkerGroup' }));
    await waitFor(() =>
      expect(backend.calls.find((c) => c.name === 'deploy:recover')?.input).toMatchObject({ action: { kind: 'continue-rollback', resourcesToSkip: ['CpuWorkerGroup'] } }),
    );
    expect(await within(await screen.findByRole('region', { name: 'Progress' })).findByText('Finished: UPDATE_COMPLETE')).toBeTruthy();
  });

  it('reads the status again when the stack can no longer be followed (a delete that finished before the page looked)', async () => {
    const { backend, setStatus } = backendWithStack({ status: 'DELETE_IN_PROGRESS' }, { watchFails: true });
    renderApp(backend);
    expect((await screen.findByTestId('stack-status', {}, { timeout: 15_000 })).textContent).toBe('DELETE_IN_PROGRESS');
    setStatus({ status: 'DELETE_COMPLETE', exists: false, deploymentId: undefined });
    expect((await screen.findByTestId('stack-gone', {}, { timeout: 15_000 })).textContent).toContain('lab-prod no longer exists');
  });

  it('cleans up an install that was planned but never applied, in one step', async () => {
    const { backend } = backendWithStack({ status: 'REVIEW_IN_PROGRESS', actions: [{ kind: 'delete-and-retry' }], outputs: [] });
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Clean up the unfinished install' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'deploy:recover')?.input).toMatchObject({ action: { kind: 'delete-and-retry' } }));
    // No outputs yet, so no platform to show.
    expect(screen.queryByRole('region', { name: 'Platform' })).toBeNull();
  });
});
