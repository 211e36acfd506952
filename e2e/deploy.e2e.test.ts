import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../main/deploy/testing/fake-aws/server.js';
import { type LocalSandbox, startLocalSandbox } from '../main/platform/local-sandbox.js';
import { EXAMPLE_CAPSULE_NAME } from '../main/platform/example-capsule.js';
import { ARTIFACTS, E2E_PROFILES, startE2EApp, UI_POLL, type E2EApp } from './harness.js';
import { InstallWizardPage } from './pages/install-wizard.js';
import { ResearcherPage } from './pages/researcher-page.js';
import { SetupPage } from './pages/setup-page.js';

// The admin installs the platform from Setup and later upgrades it from Deployment, against the
// scripted fake AWS (CloudFormation, S3, EC2, ACM, Service Quotas, STS, SSM on their wire
// protocols), which the host reaches through AWS_ENDPOINT_URL exactly as it would reach an
// emulator. A local sandbox stands in for the stack's instances: the fake stack's Url output is
// the sandbox's address and its SSM holds the sandbox's admin token as the services agent would,
// so the app connects to it by itself and runs launched from the researcher pages execute there.

const REGION = E2E_PROFILES.good.region;
const CERT = `arn:aws:acm:${REGION}:123456789012:certificate/11111111-2222-3333-4444-555555555555`;
const shots = path.join(ARTIFACTS, 'deploy');

let fake: FakeAws;
let app: E2EApp;
let wizard: InstallWizardPage;
let sandbox: LocalSandbox;
const sandboxDir = mkdtempSync(path.join(tmpdir(), 'benchtop-e2e-stack-'));

const shot = (name: string) => app.page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  // The fake reads its output values when a stack is made, so the sandbox's URL can come later:
  // it starts once the app is signed in, not competing with it for the machine.
  const outputs: Record<string, string> = {};
  fake = await startFakeAws({ region: REGION, stepsPerPoll: 25, certificates: [{ arn: CERT, domainName: '*.lab.example.org', status: 'ISSUED' }], outputs });
  app = await startE2EApp({ env: { AWS_ENDPOINT_URL: fake.url, BENCHTOP_DEPLOY_POLL_MS: '150' } });
  wizard = new InstallWizardPage(app.page);
  sandbox = await startLocalSandbox({ dataDir: sandboxDir, workers: 1 });
  outputs.Url = sandbox.url;
  fake.instance.putSecureString('/benchtop/lab-prod/admin-token', sandbox.adminToken);
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && app) await shot(`failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(() => undefined);
});

afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await sandbox?.stop();
  rmSync(sandboxDir, { recursive: true, force: true });
});

describe('install and upgrade against a scripted AWS', () => {
  it('walks the wizard from the profile to "install complete"', async () => {
    await app.page.goto(`${app.url}#/setup`);
    await new SetupPage(app.page).useProfile(E2E_PROFILES.good.name);
    await expect.poll(() => wizard.card.getByRole('textbox', { name: 'Region' }).inputValue(), UI_POLL).toBe(REGION);
    await shot('1-account');
    await wizard.next();
    await expect.poll(() => wizard.heading(), UI_POLL).toBe('Network');
    await wizard.card.getByRole('textbox', { name: 'VPC CIDR' }).fill('10.40.1.0/16');
    await wizard.card.getByText(/host bits set/).waitFor();
    await shot('2-network-invalid');
    await wizard.card.getByRole('textbox', { name: 'VPC CIDR' }).fill('10.40.0.0/16');
    await shot('2-network');
    await wizard.next();
    const cert = wizard.card.getByRole('combobox', { name: 'Certificate (ACM)' });
    await cert.locator('option', { hasText: '*.lab.example.org (ISSUED)' }).waitFor({ state: 'attached', timeout: 30_000 });
    await cert.selectOption(CERT);
    await wizard.card.getByRole('textbox', { name: /^Domain name/ }).fill('bench.lab.example.org');
    await shot('3-access');
    await wizard.next();
    await wizard.card.locator('option', { hasText: '$' }).first().waitFor({ state: 'attached', timeout: 30_000 });
    await shot('4-compute');
    await wizard.next();
    await shot('5-storage');
    await wizard.next();
    await wizard.card.getByRole('textbox', { name: 'Alarm e-mail' }).fill('pi@lab.example.org');
    await shot('6-alarms');
    await wizard.next();
    await wizard.card.getByRole('table', { name: 'Idle monthly cost' }).waitFor({ timeout: 30_000 });
    await wizard.card.getByRole('button', { name: 'Run preflight checks' }).click();
    await wizard.card.getByText('Preflight passed for account 123456789012.').waitFor({ timeout: 30_000 });
    await wizard.card.getByRole('button', { name: 'Create the plan' }).click();
    // The plan in words; the raw change set one click away.
    await wizard.card.getByTestId('plan-summary').getByText('GPU workers off.').waitFor({ timeout: 60_000 });
    await wizard.card.getByText(/^Raw change set/).click();
    await wizard.card.getByLabel('Change set').waitFor();
    await expect.poll(() => wizard.card.getByLabel('Change set').textContent(), UI_POLL).toContain('AWS::EC2::Volume DataVolume');
    await shot('7-review');
    await wizard.card.getByRole('button', { name: 'Install', exact: true }).click();
    await wizard.card.getByRole('progressbar').waitFor();
    await wizard.card.getByText(/Install complete/).waitFor({ timeout: 90_000 });
    // Connected by itself: no URL or token typed.
    await wizard.card.locator('.platform-connection[data-state="connected"]').waitFor({ timeout: 30_000 });
    const health = (await (await fetch(`${sandbox.url}/api/v1/health`)).json()) as { version: string };
    await expect.poll(() => wizard.card.getByTestId('platform-version').textContent(), UI_POLL).toBe(health.version);
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
    await expect.poll(() => page.getByTestId('stack-status').textContent(), UI_POLL).toBe('CREATE_COMPLETE');
    await page.getByText(/Update available: 0\.0\.9 →/).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Stack outputs' }).textContent(), UI_POLL).toContain('StackVersion');
    await shot('9-deployment-update-available');
    await page.getByRole('button', { name: 'Plan the update' }).click();
    await page.getByTestId('plan-summary').waitFor({ timeout: 60_000 });
    await shot('10-update-plan');
    await page.getByRole('button', { name: 'Apply the update' }).click();
    await page.getByText(/Finished: UPDATE_COMPLETE/).waitFor({ timeout: 90_000 });
    await page.getByTestId('stack-version').getByText('0.1.0').waitFor({ timeout: 30_000 });
    await shot('11-updated');
    expect(stack.status).toBe('UPDATE_COMPLETE');
  });

  it('shows the platform connected beside the stack, and a run launched from the researcher pages executes on it', async () => {
    const page = app.page;
    await page.goto(`${app.url}#/deployment`);
    const card = page.getByRole('region', { name: 'Platform' });
    await card.locator('.platform-connection[data-state="connected"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => card.textContent(), UI_POLL).toContain(sandbox.url);
    await shot('12-deployment-platform');
    const ui = new ResearcherPage(page);
    await ui.go('/capsules');
    await ui.waitForPlatform(30_000);
    await expect.poll(() => ui.platformBadge.textContent(), UI_POLL).toContain('lab-prod (eu-west-1)');
    await page.getByRole('link', { name: new RegExp(EXAMPLE_CAPSULE_NAME) }).first().click();
    await ui.heading(EXAMPLE_CAPSULE_NAME).waitFor();
    const runId = await ui.launchRunFromCapsule();
    await ui.waitForRunState('succeeded', 90_000);
    await shot('13-run-on-the-stack');
    // The run is the sandbox's own record: it ran there, not on a platform of the app's.
    const runs = await fetch(`${sandbox.url}/api/v1/runs/${runId}`, { headers: { authorization: `Bearer ${sandbox.adminToken}` } });
    expect(((await runs.json()) as { state: string }).state).toBe('succeeded');
  });

  it('recovers a failed install from the Deployment page after a reload, back to a clean state', async () => {
    fake.cfn.options.failResource = { logicalId: 'DataVolume', reason: 'The snapshot snap-0 does not exist' };
    const page = app.page;
    await page.goto(`${app.url}#/setup`);
    await expect.poll(() => wizard.card.getByRole('textbox', { name: 'Region' }).inputValue(), UI_POLL).toBe(REGION);
    await wizard.installWithDefaults({ stackName: 'lab-dev', certificateArn: CERT, certificateLabel: '*.lab.example.org (ISSUED)', domainName: 'dev.lab.example.org' });
    await wizard.card.getByText(/The install ended in ROLLBACK_COMPLETE/).waitFor({ timeout: 90_000 });
    fake.cfn.options.failResource = undefined;
    await shot('14-install-failed');

    // The app is reloaded (closed and opened again): the failed install was saved before it ran.
    await page.reload();
    await page.goto(`${app.origin}/#/deployment`);
    const picker = page.getByRole('combobox', { name: 'Deployment' });
    await picker.selectOption({ label: `lab-dev (${REGION}, account 123456789012, profile ${E2E_PROFILES.good.name})` });
    await page.getByTestId('stack-status').getByText('ROLLBACK_COMPLETE').waitFor({ timeout: 30_000 });
    await shot('15-deployment-failed-install');
    await page.getByRole('button', { name: 'Delete the failed install' }).click();
    await page.getByTestId('stack-gone').waitFor({ timeout: 90_000 });
    await shot('16-cleaned-up');
    expect(fake.cfn.find('lab-dev')).toBeUndefined();
    await page.reload();
    await page.getByTestId('stack-status').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('combobox', { name: 'Deployment' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('heading', { name: /lab-prod/ }).count(), UI_POLL).toBe(1);
  });
});
