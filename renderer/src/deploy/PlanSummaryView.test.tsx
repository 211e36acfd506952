import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as deploy from '../../../common/api/deploy.contract.js';
import * as platforms from '../../../common/api/platforms.contract.js';
import { listDeployments } from '../../../common/api/settings.contract.js';
import type { PlanSummary } from '../../../common/deploy/plan-summary.js';
import { createStandardBackend } from '../test/fake-backend.js';
import { renderApp, resetWindow } from '../test/render-app.js';
import { STEPS } from './wizard-steps.js';

// The wizard's Access and Alarms choices, and the plan in words in the review step and on the
// Deployment page.

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const ID = '123456789012/eu-west-1/lab-prod';
const cost = { known: true as const, region: 'eu-west-1', pricesAsOf: '2025-06-01', idleMonthlyUsd: { after: 54.04 }, cpuWorkerHourUsd: { after: 0.1744, instanceType: 'c6i.xlarge' }, gpuWorkerHourUsd: { after: 1.017, instanceType: 'g5.xlarge', enabled: false } };
const install: PlanSummary = {
  kind: 'install',
  stackName: 'lab-prod',
  region: 'eu-west-1',
  version: { to: '0.1.0' },
  resourceChanges: 81,
  areas: [
    { area: 'network', title: 'Network', exists: ['A new VPC 10.40.0.0/16 over two Availability Zones.'], changes: [] },
    { area: 'workers', title: 'Workers', exists: ['CPU workers 0–4 of c6i.xlarge.', 'GPU workers off.'], changes: [] },
  ],
  highlights: [],
  images: { resolved: true, changes: [] },
  cost,
};
const replaced = { kind: 'interrupts' as const, text: 'The services instance is replaced; the platform is unreachable for about 10 minutes.', resources: ['ServicesGroup'] };
const upgrade: PlanSummary = {
  ...install,
  kind: 'upgrade',
  version: { from: '0.1.0', to: '0.1.0' },
  resourceChanges: 2,
  areas: [{ area: 'services', title: 'Services', exists: [], changes: [replaced, { kind: 'change', text: 'Changes ServicesLaunchTemplate in place.', resources: ['ServicesLaunchTemplate'] }] }],
  highlights: [replaced],
  images: { resolved: true, changes: [{ parameter: 'ServicesImageId', from: 'ami-0a1a1a1a1a1a1a1a1', to: 'ami-0d4d4d4d4d4d4d4d4', source: '/aws/service/x' }] },
  cost: { ...cost, idleMonthlyUsd: { before: 54.04, after: 54.04 } },
};
const planOf = (stackName: string, type: 'CREATE' | 'UPDATE', summary: PlanSummary) => ({
  stackName,
  type,
  changeSetName: 'benchtop-1',
  noChanges: false,
  changes: [{ action: 'Add', logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC', stateful: false, destroysData: false }],
  dataRisks: [],
  diff: '[+] AWS::EC2::VPC Vpc',
  summary,
});

function wizardBackend() {
  const backend = createStandardBackend({ preferences: { theme: 'system', defaultProfile: 'lab-admin' } });
  const r = backend.router;
  r.handle(deploy.getTemplateInfo, () => ({
    stackVersion: '0.1.0',
    defaults: { VpcCidr: '10.40.0.0/16', NatMode: 'instance', LoadBalancerScheme: 'internet-facing', ServicesEndpointMode: 'dns', CpuWorkerMaxCount: '4', GpuWorkerMaxCount: '0', LogRetentionDays: '30' },
    allowed: { NatMode: ['gateway', 'instance', 'none'], LoadBalancerScheme: ['internet-facing', 'internal'], ServicesEndpointMode: ['dns', 'load-balancer'], LogRetentionDays: ['14', '30'] },
    descriptions: {},
  }));
  r.handle(deploy.listCertificates, () => ({ certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED', inUse: false }] }));
  r.handle(deploy.listInstanceTypes, () => ({ types: [] }));
  r.handle(deploy.estimateCost, () => ({ idle: [], totalMonthlyUsd: 0, pricesAsOf: '2025-06-01' }));
  r.handle(deploy.runPreflight, () => ({ ok: true, account: '123456789012', findings: [] }));
  r.handle(deploy.createPlan, ({ stackName }) => planOf(stackName, 'CREATE', install));
  return backend;
}

const wizard = () => screen.getByRole('region', { name: 'Install the platform' });
const nextButton = () => within(wizard()).getByRole('button', { name: 'Next' }) as HTMLButtonElement;
const named = (name: string) => wizard().querySelector(`[name="${name}"]`);

afterEach(cleanup);

describe('Setup wizard choices', () => {
  beforeEach(() => resetWindow('#/setup'));

  async function openWizard() {
    const { user } = renderApp(wizardBackend());
    await waitFor(() => expect((within(wizard()).getByRole('textbox', { name: 'Region' }) as HTMLInputElement).value).toBe('eu-west-1'), { timeout: 15_000 });
    return user;
  }

  it('shows every field each step checks, requires a domain and shows the DNS record it needs, and offers both load balancer modes', async () => {
    const user = await openWizard();
    const seen = new Set<string>();
    const collect = (id: string) => {
      for (const f of STEPS.find((s) => s.id === id)!.fields) if (named(f)) seen.add(f);
    };
    collect('account');
    await user.click(nextButton());
    collect('network');
    await user.selectOptions(within(wizard()).getByRole('combobox', { name: 'VPC' }), 'existing');
    collect('network');
    await user.selectOptions(within(wizard()).getByRole('combobox', { name: 'VPC' }), 'new');
    await user.click(nextButton());

    await user.selectOptions(await within(wizard()).findByRole('combobox', { name: 'Certificate (ACM)' }), CERT);
    expect(nextButton().disabled).toBe(true);
    expect(within(wizard()).getByText(/ACM cannot issue a certificate for the load balancer's own name/)).toBeTruthy();
    await user.type(within(wizard()).getByRole('textbox', { name: 'Domain name' }), 'bench.lab.example.org');
    expect(within(wizard()).getByRole('note', { name: 'DNS record' }).textContent).toContain('add bench.lab.example.org CNAME <load balancer name>');
    await user.type(within(wizard()).getByRole('textbox', { name: 'Route 53 hosted zone (optional)' }), 'Z0123456789ABC');
    expect(within(wizard()).getByRole('note', { name: 'DNS record' }).textContent).toContain('The stack creates the alias record bench.lab.example.org → the entry load balancer in hosted zone Z0123456789ABC.');
    const endpoint = within(wizard()).getByRole('combobox', { name: 'Workers reach the services through' });
    expect(within(endpoint).getByRole('option', { name: 'An internal load balancer (about $16.50 a month more)' })).toBeTruthy();
    expect(within(within(wizard()).getByRole('combobox', { name: 'Load balancer' })).getByRole('option', { name: /^Internal: reachable only from inside the VPC/ })).toBeTruthy();
    collect('access');
    expect(nextButton().disabled).toBe(false);
    await user.click(nextButton());
    collect('compute');
    await user.click(nextButton());
    collect('storage');
    await user.click(nextButton());
    collect('alarms');

    const every = STEPS.flatMap((s) => s.fields);
    expect(every.filter((f) => !seen.has(f))).toEqual([]);
  });

  it('holds "Next" on the alarms step until there is an address or an explicit "no e-mail"', async () => {
    const user = await openWizard();
    await user.click(nextButton());
    await user.click(nextButton());
    await user.selectOptions(await within(wizard()).findByRole('combobox', { name: 'Certificate (ACM)' }), CERT);
    await user.type(within(wizard()).getByRole('textbox', { name: 'Domain name' }), 'bench.lab.example.org');
    await user.click(nextButton());
    await user.click(nextButton());
    await user.click(nextButton());
    expect(nextButton().disabled).toBe(true);
    expect(within(wizard()).getByText(/alarms .* would reach no one/)).toBeTruthy();
    const ack = within(wizard()).getByRole('checkbox', { name: /Install without an alarm e-mail/ });
    await user.click(ack);
    expect(nextButton().disabled).toBe(false);
    await user.click(ack);
    await user.type(within(wizard()).getByRole('textbox', { name: 'Alarm e-mail' }), 'pi@lab.example.org');
    expect(within(wizard()).queryByRole('checkbox', { name: /Install without an alarm e-mail/ })).toBeNull();
    expect(nextButton().disabled).toBe(false);

    await user.click(nextButton());
    await user.click(within(wizard()).getByRole('button', { name: 'Run preflight checks' }));
    await within(wizard()).findByText('Preflight passed for account 123456789012.');
    await user.click(within(wizard()).getByRole('button', { name: 'Create the plan' }));
    const words = await within(wizard()).findByTestId('plan-summary');
    expect(within(words).getByText('A new VPC 10.40.0.0/16 over two Availability Zones.')).toBeTruthy();
    expect(within(words).getByText('GPU workers off.')).toBeTruthy();
    expect(within(words).getByRole('table', { name: 'Plan cost' }).textContent).toContain('$54.04');
    const raw = within(words).getByLabelText('Change set');
    expect(raw.closest('details')?.open).toBe(false);
    await user.click(within(words).getByText(/Raw change set/));
    expect(raw.closest('details')?.open).toBe(true);
  });
});

describe('Deployment page: an upgrade plan in words', () => {
  beforeEach(() => resetWindow('#/deployment'));

  it('plans new machine images on request and says what they replace, with the raw diff one click away', async () => {
    const backend = createStandardBackend();
    const r = backend.router;
    r.handle(listDeployments, () => ({ deployments: [{ id: ID, name: 'lab-prod', region: 'eu-west-1', profile: 'lab-admin', accountId: '123456789012', createdAt: '2026-11-23T12:00:00.000Z' }] }));
    r.handle(deploy.getStatus, ({ stackName }) => ({
      stackName,
      exists: true,
      status: 'UPDATE_COMPLETE',
      message: `${stackName} is UPDATE_COMPLETE.`,
      actions: [],
      version: { deployed: '0.1.0', available: '0.1.0', updateAvailable: false, downgrade: false, workers: [], advice: [] },
      outputs: [],
      terminationProtection: true,
      deploymentId: ID,
      forgotten: false,
      operationRunning: false,
    }));
    r.handle(deploy.listEvents, () => ({ events: [] }));
    r.handle(deploy.createPlan, ({ stackName }) => planOf(stackName, 'UPDATE', upgrade));
    r.handle(platforms.getDeploymentPlatform, () => ({ connection: { state: 'connected' as const, message: 'Connected.' }, platform: null }));
    const { user } = renderApp(backend);
    await user.click(await screen.findByRole('button', { name: 'Plan new machine images' }));
    const attention = await screen.findByRole('list', { name: 'Needs your attention' });
    expect(attention.textContent).toBe('Interrupts runs — Services: The services instance is replaced; the platform is unreachable for about 10 minutes.');
    expect(screen.getByText('Machine images move to the latest (ServicesImageId).')).toBeTruthy();
    expect(screen.getByLabelText('Change set').closest('details')).toBeTruthy();
    expect(backend.calls.find((c) => c.name === 'deploy:plan')?.input).toMatchObject({ stackName: 'lab-prod', updateImages: true });
  });
});
