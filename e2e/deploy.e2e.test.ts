import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../main/deploy/testing/fake-aws/server.js';
import { ARTIFACTS, E2E_PROFILES, startE2EApp, type E2EApp } from './harness.js';
import { InstallWizardPage } from './pages/install-wizard.js';
import { SetupPage } from './pages/setup-page.js';

// The admin installs the platform from Setup and later upgrades it from Deployment, against the
// scripted fake AWS (CloudFormation, S3, EC2, ACM, Service Quotas, STS on their wire protocols),
// which the host reaches through AWS_ENDPOINT_URL exactly as it would reach an emulator.

const REGION = E2E_PROFILES.good.region;
const CERT = `arn:aws:acm:${REGION}:123456789012:certificate/11111111-2222-3333-4444-555555555555`;
const shots = path.join(ARTIFACTS, 'deploy');

let fake: FakeAws;
let app: E2EApp;
let wizard: InstallWizardPage;

const shot = (name: string) => app.page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  fake = await startFakeAws({ region: REGION, stepsPerPoll: 25, certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED' }] });
  app = await startE2EApp({ env: { AWS_ENDPOINT_URL: fake.url, BENCHTOP_DEPLOY_POLL_MS: '150' } });
  wizard = new InstallWizardPage(app.page);
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && app) await shot(`failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(() => undefined);
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

describe('install and upgrade against a scripted AWS', () => {
  it('walks the wizard from the profile to "install complete"', async () => {
    await app.page.goto(`${app.url}#/setup`);
    await new SetupPage(app.page).useProfile(E2E_PROFILES.good.name);
    await expect.poll(() => wizard.card.getByRole('textbox', { name: 'Region' }).inputValue(), { timeout: 20_000 }).toBe(REGION);
    await shot('1-account');
    await wizard.next();
    expect(await wizard.heading()).toBe('Network');
    await wizard.card.getByRole('textbox', { name: 'VPC CIDR' }).fill('10.40.1.0/16');
    await wizard.card.getByText(/host bits set/).waitFor();
    await shot('2-network-invalid');
    await wizard.card.getByRole('textbox', { name: 'VPC CIDR' }).fill('10.40.0.0/16');
    await shot('2-network');
    await wizard.next();
    const cert = wizard.card.getByRole('combobox', { name: 'Certificate (ACM)' });
    await cert.locator('option', { hasText: '*.lab.example.org (ISSUED)' }).waitFor({ state: 'attached', timeout: 20_000 });
    await cert.selectOption(CERT);
    await shot('3-access');
    await wizard.next();
    await wizard.card.locator('option', { hasText: '$' }).first().waitFor({ state: 'attached', timeout: 20_000 });
    await shot('4-compute');
    await wizard.next();
    await shot('5-storage');
    await wizard.next();
    await shot('6-alarms');
    await wizard.next();
    await wizard.card.getByRole('table', { name: 'Idle monthly cost' }).waitFor({ timeout: 30_000 });
    await wizard.card.getByRole('button', { name: 'Run preflight checks' }).click();
    await wizard.card.getByText('Preflight passed for account 123456789012.').waitFor({ timeout: 30_000 });
    await wizard.card.getByRole('button', { name: 'Create the plan' }).click();
    await wizard.card.getByLabel('Change set').waitFor({ timeout: 60_000 });
    expect(await wizard.card.getByLabel('Change set').textContent()).toContain('AWS::EC2::Volume DataVolume');
    await shot('7-review');
    await wizard.card.getByRole('button', { name: 'Install', exact: true }).click();
    await wizard.card.getByRole('progressbar').waitFor();
    await wizard.card.getByText(/Install complete/).waitFor({ timeout: 90_000 });
    await shot('8-install-complete');
    const stack = fake.cfn.find('lab-prod');
    expect(stack?.status).toBe('CREATE_COMPLETE');
    expect(stack?.protection).toBe(true);
    expect(stack?.params.CertificateArn).toBe(CERT);
  });

  it('shows the deployment, finds an update available, plans and applies it', async () => {
    // The installed stack is made to look like one from an older app version.
    const stack = fake.cfn.find('lab-prod')!;
    stack.params.AgentBundleVersion = '0.0.9';
    stack.outputs = stack.outputs.map((o) => (o.OutputKey === 'StackVersion' ? { ...o, OutputValue: '0.0.9' } : o));

    await app.page.goto(`${app.url}#/deployment`);
    const page = app.page;
    await page.getByTestId('stack-status').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('stack-status').textContent()).toBe('CREATE_COMPLETE');
    await page.getByText(/Update available: 0\.0\.9 →/).waitFor();
    expect(await page.getByRole('table', { name: 'Stack outputs' }).textContent()).toContain('StackVersion');
    await shot('9-deployment-update-available');
    await page.getByRole('button', { name: 'Plan the update' }).click();
    await page.getByLabel('Change set').waitFor({ timeout: 60_000 });
    await shot('10-update-plan');
    await page.getByRole('button', { name: 'Apply the update' }).click();
    await page.getByText(/Finished: UPDATE_COMPLETE/).waitFor({ timeout: 90_000 });
    await page.getByText(/Version 0\.1\.0/).waitFor({ timeout: 20_000 });
    await shot('11-updated');
    expect(stack.status).toBe('UPDATE_COMPLETE');
  });
});
