import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as deploy from '../../../common/api/deploy.contract.js';
import * as platforms from '../../../common/api/platforms.contract.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function backendWithDeploy() {
  const backend = createStandardBackend({ preferences: { theme: 'system', defaultProfile: 'lab-admin' } });
  const asked: string[] = [];
  const r = backend.router;
  r.handle(deploy.getTemplateInfo, () => ({
    stackVersion: '0.1.0',
    defaults: { VpcCidr: '10.40.0.0/16', NatMode: 'instance', LoadBalancerScheme: 'internet-facing', ServicesInstanceType: 't4g.small', CpuWorkerMaxCount: '4', GpuWorkerMaxCount: '0', LogRetentionDays: '30' },
    allowed: { NatMode: ['gateway', 'instance', 'none'], LoadBalancerScheme: ['internet-facing', 'internal'], ServicesInstanceType: ['t4g.small', 't4g.medium'], LogRetentionDays: ['14', '30'] },
    descriptions: {},
  }));
  r.handle(deploy.listCertificates, () => ({ certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED', inUse: false }] }));
  r.handle(deploy.listInstanceTypes, () => ({ types: [{ parameter: 'ServicesInstanceType', instanceType: 't4g.small', hourlyUsd: 0.0168 }] }));
  r.handle(deploy.estimateCost, () => ({ idle: [{ item: 'Services instance', detail: 't4g.small', monthlyUsd: 12.26 }], totalMonthlyUsd: 12.26, pricesAsOf: '2025-06-01' }));
  r.handle(deploy.runPreflight, () => ({ ok: true, account: '123456789012', findings: [{ field: 'GpuWorkerMaxCount', severity: 'warning' as const, message: 'The GPU vCPU quota could not be checked.' }] }));
  r.handle(deploy.createPlan, ({ stackName }) => ({
    stackName,
    type: 'CREATE' as const,
    changeSetName: 'benchtop-1',
    noChanges: false,
    changes: [{ action: 'Add', logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC', stateful: false, destroysData: false }],
    dataRisks: [],
    diff: '[+] AWS::EC2::VPC Vpc',
  }));
  r.handle(deploy.applyPlan, ({ stackName }) => ({ started: true as const, stackName }));
  r.handleEvent(deploy.watchStack, (_input, emit) => {
    const event = { id: 'e1', stackName: 'lab-prod', nested: false, logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC', status: 'CREATE_COMPLETE', timestamp: '2026-11-23T12:00:00.000Z' };
    setTimeout(() => {
      emit({ type: 'event', event });
      emit({ type: 'progress', done: 1, total: 1, status: 'CREATE_COMPLETE' });
      emit({ type: 'final', status: 'CREATE_COMPLETE', ok: true });
    }, 10);
  });
  r.handle(platforms.getDeploymentPlatform, ({ deploymentId }) => {
    asked.push(deploymentId);
    return {
      connection: { state: 'connected' as const, message: 'Connected to https://bench.lab.example.org with the admin token of lab-prod.' },
      platform: { platform: { id: 'lab-prod-eu-west-1', name: 'lab-prod (eu-west-1)', url: 'https://bench.lab.example.org', kind: 'remote' as const, hasToken: true, active: true, deploymentId }, state: 'connected' as const, version: '0.1.0' },
    };
  });
  return { backend, asked };
}

beforeEach(() => resetWindow('#/setup'));
afterEach(cleanup);

const wizard = () => screen.getByRole('region', { name: 'Install the platform' });

/** The wizard starts afresh once the remembered profile and its region are known. */
async function ready(): Promise<void> {
  await waitFor(() => expect((within(wizard()).getByRole('textbox', { name: 'Region' }) as HTMLInputElement).value).toBe('eu-west-1'), { timeout: 15_000 });
}

describe('Setup: install wizard', () => {
  it('validates each field as it is typed with the preflight rules, and holds "Next" until it is fixed', async () => {
    const { backend } = backendWithDeploy();
    const { user } = renderApp(backend);
    await ready();
    const name = within(wizard()).getByRole('textbox', { name: 'Stack name' });
    await user.clear(name);
    await user.type(name, 'Lab_Prod');
    expect(within(wizard()).getByText(/may only hold lowercase letters.*try "lab-prod"/)).toBeTruthy();
    expect((within(wizard()).getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
    await user.clear(name);
    await user.type(name, 'lab-prod');
    await user.click(within(wizard()).getByRole('button', { name: 'Next' }));
    const cidr = within(wizard()).getByRole('textbox', { name: 'VPC CIDR' });
    await user.clear(cidr);
    await user.type(cidr, '10.40.1.0/16');
    expect(within(wizard()).getByText(/has host bits set: use the network address "10.40.0.0\/16"/)).toBeTruthy();
    expect((within(wizard()).getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('walks from the account to "install complete": certificate picker, prices, cost, preflight, plan, live progress', async () => {
    const { backend, asked } = backendWithDeploy();
    const { user } = renderApp(backend);
    const next = () => user.click(within(wizard()).getByRole('button', { name: 'Next' }));
    await ready();
    await next();
    await next();
    const cert = within(wizard()).getByRole('combobox', { name: 'Certificate (ACM)' });
    await waitFor(() => expect(within(cert).getByRole('option', { name: '*.lab.example.org (ISSUED)' })).toBeTruthy());
    expect((within(wizard()).getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
    await user.selectOptions(cert, CERT);
    await user.type(within(wizard()).getByRole('textbox', { name: /Domain name/ }), 'bench.lab.example.org');
    await next();
    await waitFor(() => expect(within(wizard()).getByRole('option', { name: 't4g.small — $0.0168/hour' })).toBeTruthy());
    await next();
    await next();
    await user.type(within(wizard()).getByRole('textbox', { name: 'Alarm e-mail' }), 'pi@lab.example.org');
    await next();
    expect(await within(wizard()).findByRole('table', { name: 'Idle monthly cost' })).toBeTruthy();
    await user.click(within(wizard()).getByRole('button', { name: 'Run preflight checks' }));
    expect(await within(wizard()).findByText('Preflight passed for account 123456789012.')).toBeTruthy();
    expect(within(wizard()).getByText('The GPU vCPU quota could not be checked.')).toBeTruthy();
    await user.click(within(wizard()).getByRole('button', { name: 'Create the plan' }));
    expect((await within(wizard()).findByLabelText('Change set')).textContent).toContain('AWS::EC2::VPC Vpc');
    await user.click(within(wizard()).getByRole('button', { name: 'Install' }));
    expect(await within(wizard()).findByText(/Install complete/)).toBeTruthy();
    expect(within(wizard()).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('1');
    // The app saved the deployment itself before applying, and connects its platform: the wizard shows it.
    expect(backend.calls.some((c) => c.name === 'settings:save-deployment')).toBe(false);
    expect((await within(wizard()).findByTestId('platform-state')).textContent).toBe('Connected');
    expect(within(wizard()).getByTestId('platform-version').textContent).toBe('0.1.0');
    expect(asked[0]).toBe('123456789012/eu-west-1/lab-prod');
    const plan = backend.calls.find((c) => c.name === 'deploy:plan');
    expect(plan?.input).toMatchObject({ target: { region: 'eu-west-1', profile: 'lab-admin' }, params: { CertificateArn: CERT, VpcCidr: '10.40.0.0/16' } });
  });
});
