import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand, type InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import Database from 'better-sqlite3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsSettingsFromEnv, publishTokens } from './aws-adapters.js';
import { BackupScheduler } from './backup.js';
import { S3BackupCopies } from './backup-copies.js';
import { batchLogEvents, CloudWatchLogsSink, eventBytes, MAX_BATCH_BYTES } from './cloudwatch-logs-sink.js';
import { CloudWatchMetricsPublisher } from './cloudwatch-metrics.js';
import { openDatabase } from './db.js';
import { DurationHistogram, type MetricsSnapshot } from './metrics.js';
import { S3ObjectStore } from './s3-object-store.js';

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'benchtop-aws-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('PutLogEvents batching', () => {
  it('keeps batches within 10,000 events, 1 MiB with 26 bytes per event, 24 hours, in time order', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const events: InputLogEvent[] = [];
    for (let i = 0; i < 25_000; i++) events.push({ timestamp: t0 + i, message: `l${i}` });
    events.push({ timestamp: t0 + 25 * 3600_000, message: 'next day' });
    for (let i = 0; i < 12; i++) events.push({ timestamp: t0 + 1000 + i, message: 'x'.repeat(100_000) });
    const shuffled = [...events].reverse();
    const batches = batchLogEvents(shuffled);
    expect(batches.flat()).toHaveLength(events.length);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10_000);
      expect(batch.reduce((s, e) => s + eventBytes(e), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect(batch.at(-1)!.timestamp! - batch[0]!.timestamp!).toBeLessThanOrEqual(24 * 3600_000);
      for (let i = 1; i < batch.length; i++) expect(batch[i]!.timestamp!).toBeGreaterThanOrEqual(batch[i - 1]!.timestamp!);
    }
    expect(batches.at(-1)).toEqual([{ timestamp: t0 + 25 * 3600_000, message: 'next day' }]);
  });

  it('counts the overhead: 1 MiB of messages does not fit one batch', () => {
    const size = Math.floor(MAX_BATCH_BYTES / 1000) - 10;
    const events = Array.from({ length: 1000 }, (_, i) => ({ timestamp: i, message: 'y'.repeat(size) }));
    expect(batchLogEvents(events).length).toBe(2);
  });
});

describe('CloudWatch Logs sink', () => {
  it('creates one stream per run and ships its lines in order', async () => {
    const cw = mockClient(CloudWatchLogsClient);
    cw.on(CreateLogStreamCommand).resolves({});
    cw.on(PutLogEventsCommand).resolves({});
    const sink = new CloudWatchLogsSink(new CloudWatchLogsClient({ region: 'eu-west-1' }), { logGroup: '/benchtop/lab/runs' });
    sink.write('run_0123456789', [{ seq: 1, stream: 'stdout', ts: 2, text: 'b' }, { seq: 2, stream: 'stderr', ts: 1, text: 'a' }]);
    await sink.flush();
    expect(cw.commandCalls(CreateLogStreamCommand)[0]!.args[0].input).toEqual({ logGroupName: '/benchtop/lab/runs', logStreamName: 'runs/run_0123456789' });
    expect(cw.commandCalls(PutLogEventsCommand)[0]!.args[0].input.logEvents).toEqual([{ timestamp: 1, message: '[stderr] a' }, { timestamp: 2, message: 'b' }]);
    sink.write('run_0123456789', [{ seq: 3, stream: 'stdout', ts: 3, text: 'c' }]);
    await sink.flush();
    expect(cw.commandCalls(CreateLogStreamCommand)).toHaveLength(1);
    cw.restore();
  });

  it('bounds its buffer when CloudWatch is away and reports failures', async () => {
    const cw = mockClient(CloudWatchLogsClient);
    cw.on(CreateLogStreamCommand).rejects(Object.assign(new Error('exists'), { name: 'ResourceAlreadyExistsException' }));
    cw.on(PutLogEventsCommand).rejects(new Error('throttled'));
    const errors: unknown[] = [];
    const sink = new CloudWatchLogsSink(new CloudWatchLogsClient({ region: 'eu-west-1' }), { logGroup: 'g', maxBufferedEvents: 100, onError: (e) => errors.push(e) });
    sink.write('run_a0000000', Array.from({ length: 250 }, (_, i) => ({ seq: i + 1, stream: 'stdout' as const, ts: i, text: `${i}` })));
    expect(sink.dropped).toBe(150);
    await sink.flush();
    expect(cw.commandCalls(PutLogEventsCommand)[0]!.args[0].input.logEvents![0]!.message).toBe('150');
    expect(errors).toHaveLength(1);
    cw.restore();
  });
});

describe('CloudWatch metrics publisher', () => {
  it('puts QueueDepth per queue to the stack namespace every 60 seconds', async () => {
    vi.useFakeTimers();
    const cw = mockClient(CloudWatchClient);
    cw.on(PutMetricDataCommand).resolves({});
    let depth = 3;
    let failed = 4;
    const snapshot = (): MetricsSnapshot => ({
      queues: { cpu: { queued: depth, running: 1, workersOnline: 2 }, gpu: { queued: 0, running: 0, workersOnline: 0 } },
      byState: { queued: depth, leased: 0, running: 1, succeeded: 0, failed, cancelled: 0 },
    });
    const publisher = new CloudWatchMetricsPublisher(new CloudWatchClient({ region: 'eu-west-1' }), snapshot, { namespace: 'Benchtop/lab' });
    publisher.start();
    await vi.advanceTimersByTimeAsync(59_000);
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    failed = 6;
    await vi.advanceTimersByTimeAsync(1_000);
    depth = 5;
    await vi.advanceTimersByTimeAsync(60_000);
    publisher.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    const calls = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.Namespace).toBe('Benchtop/lab');
    const depthOf = (i: number, q: string) =>
      calls[i]!.MetricData!.find((d) => d.MetricName === 'QueueDepth' && d.Dimensions![0]!.Value === q)!.Value;
    expect([depthOf(0, 'cpu'), depthOf(0, 'gpu'), depthOf(1, 'cpu')]).toEqual([3, 0, 5]);
    // Failures before the agent started publishing are not news; two since then are, once.
    const failedOf = (i: number) => calls[i]!.MetricData!.find((d) => d.MetricName === 'FailedRuns')!.Value;
    expect([failedOf(0), failedOf(1)]).toEqual([2, 0]);
    cw.restore();
  });
});

describe('run durations to CloudWatch', () => {
  it('sends the durations of runs finished since the last publication as values with counts, and keeps them when the call fails', async () => {
    const cw = mockClient(CloudWatchClient);
    const snapshot = (): MetricsSnapshot => ({
      queues: { cpu: { queued: 0, running: 0, workersOnline: 1 }, gpu: { queued: 0, running: 0, workersOnline: 0 } },
      byState: { queued: 0, leased: 0, running: 0, succeeded: 3, failed: 0, cancelled: 0 },
    });
    const durations = new DurationHistogram();
    const publisher = new CloudWatchMetricsPublisher(new CloudWatchClient({ region: 'eu-west-1' }), snapshot, { namespace: 'Benchtop/lab', onError: () => undefined }, durations);
    const runDuration = () => cw.commandCalls(PutMetricDataCommand).at(-1)!.args[0].input.MetricData!.filter((d) => d.MetricName === 'RunDuration');
    for (const s of [1.0004, 1, 2.5]) durations.observe(s);
    cw.on(PutMetricDataCommand).rejectsOnce(new Error('throttled')).resolves({});
    await publisher.publish();
    await publisher.publish();
    expect(runDuration()).toEqual([{ MetricName: 'RunDuration', Values: [1, 2.5], Counts: [2, 1], Unit: 'Seconds', Timestamp: expect.any(Date) }]);
    await publisher.publish();
    expect(runDuration()).toEqual([]);
    for (let i = 0; i < 200; i++) durations.observe(i);
    await publisher.publish();
    expect(runDuration().map((d) => d.Values!.length)).toEqual([150, 50]);
    cw.restore();
  });
});

describe('object store on S3', () => {
  it('checks the sha256 before storing and streams objects back', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand, { Key: 'p/missing' }).rejects(Object.assign(new Error('no'), { name: 'NoSuchKey' }));
    s3.on(GetObjectCommand, { Key: 'p/a/b' }).resolves({ Body: Readable.from([Buffer.from('hello')]) as never });
    const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1' }), 'bucket', 'p', dir);
    await expect(store.put('a/b', Readable.from([Buffer.from('hello')]), { sha256: sha('other') })).rejects.toMatchObject({ status: 400 });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(await store.put('a/b', Readable.from([Buffer.from('hello')]), { sha256: sha('hello') })).toEqual({ size: 5, sha256: sha('hello') });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'bucket', Key: 'p/a/b', ContentLength: 5 });
    expect(await store.get('missing')).toBeNull();
    const body = await store.get('a/b');
    let text = '';
    for await (const c of body!) text += String(c);
    expect(text).toBe('hello');
    expect(await readdir(dir)).toEqual([]);
    s3.restore();
  });
});

describe('online backups', () => {
  it('copies the live database to a file, keeps the newest few and uploads each to S3', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    const db = openDatabase(join(dir, 'live.sqlite'));
    db.prepare("INSERT INTO users (id, name, role, created_at) VALUES ('usr_0000000001', 'a', 'admin', 'now')").run();
    const backups = new BackupScheduler(db, { dir: join(dir, 'backups'), intervalMs: 3600_000, keep: 2, copies: new S3BackupCopies(new S3Client({ region: 'eu-west-1' }), 'backup-bucket') });
    const files: string[] = [];
    for (let i = 0; i < 3; i++) {
      files.push(await backups.backupNow());
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await readdir(join(dir, 'backups'))).sort()).toEqual(files.slice(1).map((f) => f.split('/').at(-1)).sort());
    const copy = new Database(files[2]!, { readonly: true });
    expect(copy.prepare('SELECT name FROM users').all()).toEqual([{ name: 'a' }]);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    db.close();
    const keys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^backups\/benchtop-.*\.sqlite$/);
    s3.restore();
  });
});

describe('AWS settings and token publication', () => {
  it('stays local without BENCHTOP_* settings and needs a region with them', () => {
    expect(awsSettingsFromEnv({})).toBeNull();
    expect(() => awsSettingsFromEnv({ BENCHTOP_BUCKET: 'b' })).toThrow(/AWS_REGION/);
    expect(awsSettingsFromEnv({ AWS_REGION: 'eu-west-1', BENCHTOP_LOG_GROUP: 'g' })).toMatchObject({ region: 'eu-west-1', logGroup: 'g' });
  });

  it('refuses to publish tokens without the stack key (aws/ssm would let every parameter reader decrypt them)', () => {
    expect(() => awsSettingsFromEnv({ AWS_REGION: 'eu-west-1', BENCHTOP_SSM_PREFIX: '/benchtop/lab/' })).toThrow(/BENCHTOP_SSM_KEY_ID/);
    expect(awsSettingsFromEnv({ AWS_REGION: 'eu-west-1', BENCHTOP_SSM_PREFIX: '/benchtop/lab/', BENCHTOP_SSM_KEY_ID: 'k-1' })).toMatchObject({ ssmPrefix: '/benchtop/lab/', ssmKeyId: 'k-1' });
  });

  it('writes the admin and worker tokens as SecureString parameters under the stack prefix, with the stack key', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).resolves({});
    await publishTokens(new SSMClient({ region: 'eu-west-1' }), '/benchtop/lab', '1234abcd-12ab-34cd-56ef-1234567890ab', { admin: 'bt_a', worker: 'bt_w' });
    const KeyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: '/benchtop/lab/admin-token', Value: 'bt_a', Type: 'SecureString', KeyId, Overwrite: true },
      { Name: '/benchtop/lab/worker-token', Value: 'bt_w', Type: 'SecureString', KeyId, Overwrite: true },
    ]);
    ssm.restore();
  });

  it('replaces the String placeholder the stack created, whose type Parameter Store will not change in place', async () => {
    const ssm = mockClient(SSMClient);
    const mismatch = Object.assign(new Error('Parameter Store does not support changing a parameter type in a hierarchy.'), { name: 'HierarchyTypeMismatchException' });
    ssm.on(PutParameterCommand, { Name: '/benchtop/lab/admin-token' }).rejectsOnce(mismatch).resolves({});
    ssm.on(PutParameterCommand, { Name: '/benchtop/lab/worker-token' }).resolves({});
    ssm.on(DeleteParameterCommand).resolves({});
    await publishTokens(new SSMClient({ region: 'eu-west-1' }), '/benchtop/lab/', 'k-1', { admin: 'bt_a', worker: 'bt_w' });
    expect(ssm.commandCalls(DeleteParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: '/benchtop/lab/admin-token' }]);
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Name)).toEqual(['/benchtop/lab/admin-token', '/benchtop/lab/admin-token', '/benchtop/lab/worker-token']);
    ssm.restore();
  });

  it('passes on any other refusal without deleting anything', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(PutParameterCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(publishTokens(new SSMClient({ region: 'eu-west-1' }), '/benchtop/lab/', 'k-1', { admin: 'bt_a', worker: 'bt_w' })).rejects.toThrow('denied');
    expect(ssm.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    ssm.restore();
  });
});
