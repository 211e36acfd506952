import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as deploy from '../../../common/api/deploy.contract.js';
import { listDeployments } from '../../../common/api/settings.contract.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

function backendWithStack(status = 'UPDATE_COMPLETE') {
  const backend = createStandardBackend();
  const r = backend.router;
  r.handle(listDeployments, () => ({ deployments: [{ name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', createdAt: '2026-11-23T12:00:00.000Z' }] }));
  r.handle(deploy.getStatus, ({ stackName }) => ({
    stackName,
    exists: true,
    status,
    message: `${stackName} is ${status}.`,
    actions: status === 'UPDATE_ROLLBACK_FAILED' ? [{ kind: 'continue-rollback' as const, resourcesToSkip: ['CpuWorkerGroup'] }] : [],
    version: { deployed: '0.0.9', available: '0.1.0', updateAvailable: true },
    outputs: [{ key: 'Url', value: 'https://bench.lab.example.org' }],
    terminationProtection: true,
  }));
  r.handle(deploy.listEvents, () => ({ events: [] }));
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
  r.handleEvent(deploy.watchStack, (_i, emit) => {
    setTimeout(() => emit({ type: 'final', status: 'UPDATE_COMPLETE', ok: true }), 5);
  });
  return backend;
}

beforeEach(() => resetWindow('#/deployment'));
afterEach(cleanup);

describe('Deployment page', () => {
  it('shows status, version and outputs, and gates a data-destroying update behind the typed stack name', async () => {
    const backend = backendWithStack();
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
    expect(backend.calls).toContainEqual({ name: 'deploy:apply', input: { target: { region: 'eu-west-1', profile: 'lab-admin' }, stackName: 'lab-prod', changeSetName: 'benchtop-2', confirmDataLoss: 'lab-prod' } });
  });

  it('deletes only after the stack name is typed, keeping data unless asked', async () => {
    const backend = backendWithStack();
    const { user } = renderApp(backend);
    const del = await screen.findByRole('button', { name: 'Delete lab-prod' });
    expect((del as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByRole('textbox', { name: /Type lab-prod to confirm/ }), 'lab-prod');
    await user.click(del);
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'deploy:delete')?.input).toMatchObject({ confirm: 'lab-prod', deleteData: false }));
  });

  it('offers to continue a failed rollback, skipping what failed', async () => {
    const backend = backendWithStack('UPDATE_ROLLBACK_FAILED');
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Continue the rollback, skipping CpuWorkerGroup' }));
    await waitFor(() =>
      expect(backend.calls.find((c) => c.name === 'deploy:recover')?.input).toMatchObject({ action: { kind: 'continue-rollback', resourcesToSkip: ['CpuWorkerGroup'] } }),
    );
    expect(await within(await screen.findByRole('region', { name: 'Progress' })).findByText('Finished: UPDATE_COMPLETE')).toBeTruthy();
  });
});
