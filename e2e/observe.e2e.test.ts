import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../main/deploy/testing/fake-aws/server.js';
import { type E2EApp, startE2EApp } from './harness.js';
import { ObservePage } from './pages/observe-page.js';

// Observe end to end: `benchtop start` with its local sandbox (real services agent and worker)
// and a fake AWS holding one deployed stack; in Chromium, the sandbox's charts move while capsule
// runs go through, its services log is followed live, an alarm is muted and unmuted — then the
// same pages for the deployment, read from the fake CloudWatch, Logs and SNS.

const STACK = 'lab';
const ALARM = `${STACK}-FailedRunsAlarm-E2E`;
let fake: FakeAws;
let app: E2EApp;
let ui: ObservePage;

/** A call of the app's API as the page makes it (the page's own secret). */
async function api<T>(name: string, input: unknown): Promise<T> {
  const secret = await app.page.evaluate(() => sessionStorage.getItem('benchtop.page-secret'));
  const res = await fetch(`${app.origin}/api/call/${name}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!body.ok) throw new Error(`${name}: ${JSON.stringify(body.error)}`);
  return body.value as T;
}

type Charts = { charts: { id: string; series: { values: (number | null)[] }[] }[] };
const peak = (answer: Charts, id: string) => Math.max(0, ...answer.charts.find((c) => c.id === id)!.series.flatMap((s) => s.values.map((v) => v ?? 0)));

beforeAll(async () => {
  fake = await startFakeAws({ account: '123456789012' });
  const stack = fake.cfn.seed(STACK, 'CREATE_COMPLETE', { Resources: {}, Outputs: { AlarmTopicArn: { Value: 'x' }, CpuWorkerGroupName: { Value: 'x' } } }, {});
  const topic = stack.outputs.find((o) => o.OutputKey === 'AlarmTopicArn')?.OutputValue ?? '';
  fake.observe.topics.add(topic);
  const now = Date.now();
  for (let m = 60; m >= 0; m -= 1) {
    fake.observe.putPoint({ namespace: `Benchtop/${STACK}`, name: 'QueueDepth', dimensions: { Queue: 'cpu' }, at: now - m * 60_000, value: m % 7 });
    fake.observe.putPoint({ namespace: `Benchtop/${STACK}`, name: 'RunningRuns', dimensions: { Queue: 'cpu' }, at: now - m * 60_000, value: m % 3 });
  }
  for (const [hoursAgo, failed] of [[5, 1], [4, 0], [3, 2], [2, 1], [1, 4], [0, 6]] as const) {
    fake.observe.putPoint({ namespace: `Benchtop/${STACK}`, name: 'FailedRuns', dimensions: {}, at: now - hoursAgo * 3_600_000 - 60_000, value: failed });
  }
  fake.observe.addAlarm({ AlarmName: ALARM, AlarmDescription: 'Five or more runs failed within an hour.', Namespace: `Benchtop/${STACK}`, MetricName: 'FailedRuns', Statistic: 'Sum', Period: 3600, Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold', StateValue: 'OK', StateReason: 'Threshold not crossed' });
  app = await startE2EApp({ sandbox: true, env: { AWS_ENDPOINT_URL: fake.url, BENCHTOP_OBSERVE_SAMPLE_MS: '1000', BENCHTOP_OBSERVE_ALARM_POLL_MS: '1000' } });
  ui = new ObservePage(app.page);
  let state = '';
  for (let i = 0; i < 180 && state !== 'connected'; i += 1) {
    state = (await api<{ state: string }>('platforms:status', {})).state;
    if (state !== 'connected') await new Promise((r) => setTimeout(r, 500));
  }
  if (state !== 'connected') throw new Error(`the local sandbox never answered (${state})\nhost stderr:\n${app.stderr()}`);
  await api('settings:save-deployment', { name: STACK, region: 'us-east-1', profile: 'lab-admin' });
  // The source list is read once per page: the saved deployment shows after a reload.
  await app.page.reload();
});

/** The sandbox's log folder, from where the host says its data is. */
function sandboxLogs(): string {
  const data = /\(data in ([^)]+)\)/.exec(app.stderr())?.[1];
  if (!data) throw new Error(`the host did not say where its data is:\n${app.stderr()}`);
  return path.join(data, 'sandbox', 'logs');
}

afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

describe('Observe in browser mode', () => {
  it('charts the sandbox, and its queue and run charts move as capsule runs go through', async () => {
    await ui.go('/monitoring');
    await ui.pickSource('Local sandbox');
    await ui.metricsMeta.getByText('Local sandbox').waitFor({ timeout: 30_000 });
    // Runs that last a few seconds: the sandbox is read once a second, and a run shorter than that
    // (the example capsule's, on an idle machine) can start and end between two readings.
    const capsule = await api<{ id: string }>('capsules:create', {
      name: 'E2E three-second run',
      environment: { baseImage: 'python:3.12-slim' },
      command: ['sh', '-c', 'sleep 3'],
      files: [{ path: 'README.md', content: 'a run that lasts long enough to be charted\n' }],
    });
    for (let i = 0; i < 3; i += 1) await api('runs:launch', { capsuleId: capsule.id });
    await expect
      .poll(async () => peak(await api<Charts>('observe:get-metrics', { source: { kind: 'local' }, range: { preset: '1h' } }), 'runs-running'), { timeout: 60_000, interval: 1000 })
      .toBeGreaterThan(0);
    await ui.plot('runs-running').first().waitFor({ timeout: 30_000 });
    await ui.plot('queue-depth').first().waitFor();
    await ui.screenshot('sandbox-charts');
  });

  it('follows the sandbox services log live', async () => {
    await ui.go('/monitoring/logs');
    await ui.followMode.getByText('Following the files').waitFor({ timeout: 30_000 });
    // A line written as the services agent writes one (it logs at info in the sandbox), to find among its requests.
    appendFileSync(path.join(sandboxLogs(), 'services.log'), `{"level":40,"msg":"e2e: lease sweep found 0 expired leases at ${Date.now()}"}\n`);
    await ui.logRow('e2e: lease sweep found 0 expired leases').waitFor({ timeout: 30_000 });
    await ui.screenshot('sandbox-logs');
  });

  it('mutes a sandbox alarm with a reason and unmutes it', async () => {
    await ui.go('/alarms');
    await ui.alarm('sandbox-disk').waitFor({ timeout: 30_000 });
    await ui.mute('sandbox-disk', 'e2e: moving data');
    await ui.screenshot('sandbox-alarms');
    await ui.unmute('sandbox-disk');
  });

  it('charts a deployment from CloudWatch, lists its alarms, notifies when one goes off, and mutes it through CloudWatch', async () => {
    await ui.go('/monitoring');
    await ui.pickSource(/^lab /);
    await ui.metricsMeta.getByText('CloudWatch').waitFor({ timeout: 30_000 });
    await ui.plot('queue-depth').first().waitFor({ timeout: 30_000 });
    await ui.plot('runs-running').first().waitFor();
    await ui.screenshot('stack-charts');

    // The fake refuses Live Tail: the app says so and polls FilterLogEvents instead.
    fake.instance.logs.set(`/benchtop/${STACK}/services`, new Map([['i-0e2e/services', ['services agent listening on :8080']]]));
    await ui.go('/monitoring/logs');
    await ui.followMode.getByText('Polling every 2 s').waitFor({ timeout: 30_000 });
    await app.page.getByText(/Live Tail is not available \(InvalidOperationException/).waitFor();
    await ui.logRow('services agent listening on :8080').waitFor({ timeout: 30_000 });
    fake.instance.logs.get(`/benchtop/${STACK}/services`)!.get('i-0e2e/services')!.push('lease 42 granted to worker w-7');
    await ui.logRow('lease 42 granted to worker w-7').waitFor({ timeout: 30_000 });
    await ui.screenshot('stack-logs');

    await ui.go('/alarms');
    await ui.alarm(ALARM).waitFor({ timeout: 30_000 });
    fake.observe.setAlarmState(ALARM, 'ALARM', 'Threshold Crossed: 1 datapoint [6.0] was >= the threshold (5.0).');
    // Browser mode: the notification is a toast, and the Alarms link gets a badge.
    await app.page.getByRole('status', { name: 'Notifications' }).getByText(`Alarm: ${ALARM}`).waitFor({ timeout: 30_000 });
    await app.page.getByTestId('alarm-badge').waitFor({ timeout: 30_000 });
    await ui.alarm(ALARM).getByText('In alarm').waitFor({ timeout: 40_000 });
    await ui.mute(ALARM, 'e2e: known failures');
    expect(fake.observe.alarms.get(ALARM)!.ActionsEnabled).toBe(false);
    // Read before anyone is added (a count of zero before the list is read would prove nothing).
    await app.page.getByText('Nobody is subscribed: alarms go off silently.').waitFor();
    expect(await app.page.getByText('Pending confirmation').count()).toBe(0);
    await app.page.getByRole('textbox', { name: 'Email address to add' }).fill('pi@lab.example.org');
    await app.page.getByRole('button', { name: 'Add address' }).click();
    await app.page.getByText('Pending confirmation').waitFor();
    await ui.screenshot('stack-alarms');
    await ui.unmute(ALARM);
    expect(fake.observe.alarms.get(ALARM)!.ActionsEnabled).toBe(true);
  });
});
