import type { Capsule, CommitInfo, LogLine, Run } from '../../../../common/protocol/index.js';
import {
  capsuleHistory,
  capsuleTree,
  commitCapsule,
  createCapsule,
  createCapsuleFromTemplate,
  getCapsule,
  listCapsules,
  listCapsuleTemplates,
  readCapsuleFile,
} from '../../../../common/api/capsules.contract.js';
import { ApiError } from '../../../../common/api/errors.js';
import { listDownstreamRuns } from '../../../../common/api/pipelines.contract.js';
import { addPlatform, listPlatforms, platformStatus, removePlatform, setActivePlatform, type PlatformInfo, type SandboxStatus } from '../../../../common/api/platforms.contract.js';
import type { Router } from '../../../../common/api/router.js';
import {
  cancelRun,
  compareRuns,
  countLogs,
  followLogs,
  getRun,
  launchRun,
  listDatasets,
  listResults,
  listRuns,
  readLogs,
  readResult,
  rerunRun,
  runFinished,
  searchLogs,
} from '../../../../common/api/runs.contract.js';
import { createStandardBackend, type FakeBackend } from '../../test/fake-backend.js';

// The researcher plane of main as the pages see it: every platforms/capsules/runs call registered
// on the real Router against the real contract, over in-memory data the test controls.

const sha = (n: number) => n.toString(16).padStart(40, '0');
const hex64 = (n: number) => n.toString(16).padStart(64, '0');
const T0 = '2026-11-23T10:00:00.000Z';

export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVQI12P4z8AAAAMBAQAY3Y2wAAAAAElFTkSuQmCC';

export function makeCapsule(over: Partial<Capsule> = {}): Capsule {
  return {
    id: 'cap_00000000000000000001',
    name: 'Oscillation study',
    description: 'A damped oscillation',
    head: sha(2),
    environment: { baseImage: 'python:3.12-slim', apt: [], pip: ['numpy==2.1.0'], conda: [] },
    command: ['python3', '/code/main.py'],
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function makeRun(over: Partial<Run> = {}): Run {
  return {
    id: 'run_00000000000000000001',
    capsuleId: 'cap_00000000000000000001',
    commit: sha(2),
    environment: { baseImage: 'python:3.12-slim', apt: [], pip: [], conda: [] },
    environmentHash: hex64(1),
    imageDigest: null,
    resolvedEnvironment: null,
    partialEnvironment: false,
    datasets: [],
    command: ['python3', '/code/main.py'],
    parameters: {},
    resources: { cpus: 1, memoryMb: 2048, gpus: 0, timeoutSeconds: 3600 },
    queue: 'cpu',
    network: false,
    isolation: null,
    state: 'succeeded',
    waitingReason: null,
    cancelRequested: false,
    attempts: 1,
    maxAttempts: 3,
    workerId: 'w1',
    workerInstanceType: null,
    createdAt: T0,
    leasedAt: '2026-11-23T10:00:01.000Z',
    startedAt: '2026-11-23T10:00:02.000Z',
    finishedAt: '2026-11-23T10:00:12.000Z',
    exitCode: 0,
    error: null,
    results: { files: [] },
    costUsd: null,
    costSource: null,
    rerunOf: null,
    userId: 'usr_000000000000000000me',
    secretParameters: [],
    cancelledBy: null,
    inputs: [],
    ...over,
  };
}

export interface FakePlatformState {
  status: 'connected' | 'unreachable';
  platforms: PlatformInfo[];
  capsules: Capsule[];
  files: Record<string, string>;
  commits: CommitInfo[];
  runs: Run[];
  logs: Record<string, LogLine[]>;
  results: Record<string, Record<string, { content: string; encoding: 'utf8' | 'base64' }>>;
  /** Emitters of the live log streams the window holds open, by run id. */
  followers: Map<string, (batch: { lines: LogLine[]; end?: Run['state'] }) => void>;
  finished: ((run: Run) => void)[];
  calls: FakeBackend['calls'];
  /** The local sandbox's processes and runtime, when the test gives them. */
  sandbox?: SandboxStatus;
}

export function logLines(count: number, from = 1, text = (seq: number) => `line ${seq}`): LogLine[] {
  return Array.from({ length: count }, (_, i) => ({ seq: from + i, stream: 'stdout' as const, ts: 0, text: text(from + i) }));
}

export function createResearcherBackend(init: Partial<Omit<FakePlatformState, 'followers' | 'finished' | 'calls'>> = {}): FakeBackend & { platform: FakePlatformState } {
  const backend = createStandardBackend();
  const state: FakePlatformState = {
    status: 'connected',
    platforms: [{ id: 'local', name: 'Local sandbox', url: 'http://127.0.0.1:7300', kind: 'local', hasToken: true, active: true }],
    capsules: [makeCapsule()],
    files: { 'main.py': 'import math\nprint(math.pi)\n', 'README.md': '# Study\n', 'data/values.csv': 'step,value\n0,1.5\n1,"a, b"\n', 'plot.png': PNG_BASE64 },
    commits: [
      { sha: sha(2), message: 'Fewer steps', author: 'researcher', createdAt: T0, parents: [sha(1)] },
      { sha: sha(1), message: 'Create capsule', author: 'researcher', createdAt: T0, parents: [] },
    ],
    runs: [],
    logs: {},
    results: {},
    followers: new Map(),
    finished: [],
    calls: backend.calls,
    ...init,
  };
  register(backend.router, state);
  return Object.assign(backend, { platform: state });
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ApiError('not-found', `Not found on Local sandbox: ${what}.`);
  return value;
}

function register(router: Router, s: FakePlatformState): void {
  const connected = () => {
    if (s.status !== 'connected') throw new ApiError('unavailable', 'Cannot reach the platform Local sandbox (http://127.0.0.1:7300).', 'Restart Benchtop.');
  };
  const capsule = (id: string) => need(s.capsules.find((c) => c.id === id), `capsule ${id}`);
  const run = (id: string) => need(s.runs.find((r) => r.id === id), `run ${id}`);
  router
    .handle(platformStatus, () =>
      s.status === 'connected'
        ? { platform: s.platforms.find((p) => p.active) ?? null, state: 'connected' as const, version: '0.1.0', user: { id: 'usr_000000000000000000me', name: 'researcher', role: 'researcher' }, ...(s.sandbox ? { sandbox: s.sandbox } : {}) }
        : { platform: s.platforms[0] ?? null, state: 'unreachable' as const, message: 'Cannot reach the platform Local sandbox (http://127.0.0.1:7300).' },
    )
    .handle(listPlatforms, () => ({ platforms: s.platforms, activeId: s.platforms.find((p) => p.active)?.id ?? null }))
    .handle(addPlatform, ({ name, url, token }) => {
      if (token !== 'good-token-123') throw new ApiError('unauthorized', `The platform ${name} (${url}) refused the token: this token is unknown or was revoked.`);
      const p: PlatformInfo = { id: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name, url, kind: 'remote', hasToken: true, active: true };
      s.platforms = [...s.platforms.map((x) => ({ ...x, active: false })), p];
      return p;
    })
    .handle(removePlatform, ({ id }) => {
      s.platforms = s.platforms.filter((p) => p.id !== id);
      return { removed: true, activeId: null };
    })
    .handle(setActivePlatform, ({ id }) => {
      s.platforms = s.platforms.map((p) => ({ ...p, active: p.id === id }));
      return need(s.platforms.find((p) => p.id === id), id);
    })
    .handle(listCapsules, (input) => {
      connected();
      const q = input?.search?.toLowerCase() ?? '';
      return { items: s.capsules.filter((c) => `${c.name} ${c.description}`.toLowerCase().includes(q)), truncated: false };
    })
    .handle(getCapsule, ({ id }) => capsule(id))
    .handle(capsuleTree, ({ id }) => {
      capsule(id);
      return { commit: sha(2), entries: Object.entries(s.files).map(([path, content]) => ({ path, type: 'file' as const, size: content.length })) };
    })
    .handle(capsuleHistory, () => ({ items: s.commits }))
    .handle(readCapsuleFile, ({ path }) => {
      const content = need(s.files[path], path);
      return { path, size: content.length, encoding: path.endsWith('.png') ? ('base64' as const) : ('utf8' as const), content, truncated: false };
    })
    .handle(commitCapsule, ({ id, message, parent, files }) => {
      const c = capsule(id);
      if (parent && parent !== c.head) throw new ApiError('conflict', 'Conflict on Local sandbox: the capsule changed meanwhile.');
      for (const f of files) s.files[f.path] = f.content;
      const commit = { sha: sha(s.commits.length + 1), message, author: 'researcher', createdAt: T0, parents: [c.head] };
      s.commits = [commit, ...s.commits];
      c.head = commit.sha;
      return { commit, capsule: c };
    })
    .handle(createCapsule, (body) => {
      const c = makeCapsule({ id: `cap_${String(s.capsules.length + 1).padStart(20, '0')}`, name: body.name, description: body.description, environment: body.environment, command: body.command });
      s.capsules.push(c);
      return c;
    })
    .handle(listCapsuleTemplates, () => ({
      items: [
        { id: 'python' as const, label: 'Python', description: 'A Python 3 script', baseImage: 'python:3.12-slim', files: ['main.py', 'README.md'] },
        { id: 'r' as const, label: 'R', description: 'An R script', baseImage: 'r-base:4.4.1', files: ['main.R', 'README.md'] },
        { id: 'shell' as const, label: 'Shell', description: 'A shell script', baseImage: 'debian:bookworm-slim', files: ['main.sh', 'README.md'] },
      ],
    }))
    .handle(createCapsuleFromTemplate, ({ name }) => {
      const c = makeCapsule({ id: `cap_${String(s.capsules.length + 1).padStart(20, '0')}`, name });
      s.capsules.push(c);
      return c;
    })
    .handle(listRuns, (input) => {
      connected();
      return { items: s.runs.filter((r) => (!input?.state || r.state === input.state) && (!input?.capsuleId || r.capsuleId === input.capsuleId) && (!input?.queue || r.queue === input.queue)) };
    })
    .handle(getRun, ({ id }) => run(id))
    .handle(launchRun, (body) => {
      const r = makeRun({ id: `run_${String(s.runs.length + 1).padStart(20, '0')}`, capsuleId: body.capsuleId, state: 'queued', waitingReason: 'no CPU worker is online', leasedAt: null, startedAt: null, finishedAt: null, exitCode: null, parameters: body.parameters });
      s.runs.push(r);
      return r;
    })
    .handle(cancelRun, ({ id }) => Object.assign(run(id), { state: 'cancelled' as const, finishedAt: T0 }))
    .handle(listDownstreamRuns, ({ id }) => ({ items: s.runs.filter((r) => r.inputs.some((i) => i.runId === id)) }))
    .handle(rerunRun, ({ id }) => {
      const r = makeRun({ ...run(id), id: `run_${String(s.runs.length + 1).padStart(20, '0')}`, rerunOf: id, state: 'queued', leasedAt: null, startedAt: null, finishedAt: null });
      s.runs.push(r);
      return r;
    })
    .handle(listDatasets, () => ({ items: [{ id: 'ds_00000000000000000001', name: 'weather', description: '', latestVersion: hex64(9), createdAt: T0 }] }))
    .handle(readLogs, ({ id, after, limit }) => {
      const lines = s.logs[id] ?? [];
      const items = lines.slice(after, after + limit);
      return { items, next: items.at(-1)?.seq ?? after, done: run(id).finishedAt !== null && after + items.length >= lines.length };
    })
    .handle(countLogs, ({ id }) => ({ total: (s.logs[id] ?? []).length, done: run(id).finishedAt !== null }))
    .handle(searchLogs, ({ id, query }) => {
      const lines = s.logs[id] ?? [];
      return { matches: lines.filter((l) => l.text.toLowerCase().includes(query.toLowerCase())), scanned: lines.length, truncated: false };
    })
    .handleEvent(followLogs, ({ id }, emit) => {
      s.followers.set(id, emit);
      return () => s.followers.delete(id);
    })
    .handleEvent(runFinished, (_input, emit) => {
      const listener = (r: Run) => emit({ run: r });
      s.finished.push(listener);
      return () => (s.finished = s.finished.filter((l) => l !== listener));
    })
    .handle(listResults, ({ id }) => ({ files: Object.entries(s.results[id] ?? {}).map(([path, f]) => ({ path, size: f.content.length, sha256: hex64(path.length) })) }))
    .handle(readResult, ({ id, path }) => {
      const f = need(s.results[id]?.[path], path);
      return { path, size: f.content.length, encoding: f.encoding, content: f.content, truncated: false };
    })
    .handle(compareRuns, ({ a, b }) => {
      const ra = s.results[a] ?? {};
      const rb = s.results[b] ?? {};
      const changed = Object.keys(ra).filter((p) => rb[p] && rb[p].content !== ra[p]!.content);
      const added = Object.keys(rb).filter((p) => !ra[p]);
      const removed = Object.keys(ra).filter((p) => !rb[p]);
      return { identical: changed.length + added.length + removed.length === 0, changed, added, removed };
    });
}
