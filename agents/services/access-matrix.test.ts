import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathFor, ROUTES, type RouteName } from '../../common/protocol/routes.js';
import { createPlatformClient, type PlatformClient } from '../../lib/protocol/client.js';
import { exampleCapsule, startHarness, type Harness } from './testing/harness.js';

// Every route of people and data × every kind of caller, through the real services agent: an admin,
// a PI, the owner of a private capsule and dataset, a collaborator they were shared with, another
// researcher, and a worker.

const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
type Actor = 'admin' | 'pi' | 'owner' | 'collab' | 'other' | 'worker';
const ACTORS: readonly Actor[] = ['admin', 'pi', 'owner', 'collab', 'other', 'worker'];

interface Fixture {
  tokens: Record<Actor, string>;
  clients: Record<Actor, PlatformClient>;
  ids: Record<Actor, string>;
  privateCapsule: string;
  labCapsule: string;
  dataset: string;
  version: string;
  finishedRun: string;
  queuedRun: string;
  spareUser: string;
  spareToken: string;
}

/** One request of a route: path, body, and who is allowed. */
interface Case {
  route: RouteName;
  label?: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  bytes?: Uint8Array;
  allowed: readonly Actor[];
  /** What an allowed caller gets when it is not a success (a terminal opens only into a running run: 409). */
  allowedStatus?: number;
}

const PEOPLE: readonly Actor[] = ['admin', 'pi', 'owner', 'collab', 'other'];
const EVERYONE = ACTORS;
const READERS_OF_PRIVATE: readonly Actor[] = ['admin', 'pi', 'owner', 'collab', 'worker'];
const PEOPLE_OF_PRIVATE: readonly Actor[] = ['admin', 'pi', 'owner', 'collab'];
const EDITORS: readonly Actor[] = ['admin', 'owner', 'collab'];
const OWNERS: readonly Actor[] = ['admin', 'owner'];
const RUN_MANAGERS: readonly Actor[] = ['admin', 'pi', 'owner'];
const blob = new TextEncoder().encode('a,b\n1,2\n');

const cases: Case[] = [
  { route: 'health', path: () => pathFor(ROUTES.health, {}), allowed: EVERYONE },
  { route: 'queues', path: () => pathFor(ROUTES.queues, {}), allowed: EVERYONE },
  { route: 'me', path: () => pathFor(ROUTES.me, {}), allowed: EVERYONE },
  { route: 'metrics', path: () => pathFor(ROUTES.metrics, {}), allowed: EVERYONE },
  { route: 'setScaling', path: () => pathFor(ROUTES.setScaling, { queue: 'gpu' }), body: () => ({ scalingUp: false }), allowed: ['admin'] },
  // --- users ---
  { route: 'listUsers', path: () => pathFor(ROUTES.listUsers, {}), allowed: ['admin'] },
  { route: 'createUser', path: () => pathFor(ROUTES.createUser, {}), body: () => ({ name: 'someone', role: 'researcher' }), allowed: ['admin'] },
  { route: 'listTokens', path: (f) => pathFor(ROUTES.listTokens, { id: f.spareUser }), allowed: ['admin'] },
  { route: 'createToken', path: (f) => pathFor(ROUTES.createToken, { id: f.spareUser }), body: () => ({ label: 'x' }), allowed: ['admin'] },
  { route: 'revokeToken', path: (f) => pathFor(ROUTES.revokeToken, { id: f.spareToken }), allowed: ['admin'] },
  { route: 'setUserRole', path: (f) => pathFor(ROUTES.setUserRole, { id: f.spareUser }), body: () => ({ role: 'researcher' }), allowed: ['admin'] },
  { route: 'revokeUserTokens', path: (f) => pathFor(ROUTES.revokeUserTokens, { id: f.spareUser }), allowed: ['admin'] },
  { route: 'listPeople', path: () => pathFor(ROUTES.listPeople, {}), allowed: PEOPLE },
  { route: 'audit', path: () => pathFor(ROUTES.audit, {}), allowed: ['admin', 'pi'] },
  { route: 'myNotifications', path: () => pathFor(ROUTES.myNotifications, {}), allowed: PEOPLE },
  // --- capsules: the private one ---
  { route: 'listCapsules', path: () => pathFor(ROUTES.listCapsules, {}), allowed: EVERYONE },
  { route: 'createCapsule', path: () => pathFor(ROUTES.createCapsule, {}), body: () => exampleCapsule, allowed: PEOPLE },
  { route: 'getCapsule', path: (f) => pathFor(ROUTES.getCapsule, { id: f.privateCapsule }), allowed: READERS_OF_PRIVATE },
  { route: 'createCommit', path: (f) => pathFor(ROUTES.createCommit, { id: f.privateCapsule }), body: () => ({ message: 'change', files: [{ path: 'notes.txt', content: 'x' }] }), allowed: EDITORS },
  { route: 'listCommits', path: (f) => pathFor(ROUTES.listCommits, { id: f.privateCapsule }), allowed: READERS_OF_PRIVATE },
  { route: 'capsuleTree', path: (f) => pathFor(ROUTES.capsuleTree, { id: f.privateCapsule }), allowed: READERS_OF_PRIVATE },
  { route: 'capsuleFile', path: (f) => pathFor(ROUTES.capsuleFile, { id: f.privateCapsule, '*': 'main.py' }), allowed: READERS_OF_PRIVATE },
  { route: 'capsuleArchive', path: (f) => pathFor(ROUTES.capsuleArchive, { id: f.privateCapsule }), allowed: READERS_OF_PRIVATE },
  { route: 'capsuleSharing', path: (f) => pathFor(ROUTES.capsuleSharing, { id: f.privateCapsule }), body: () => ({}), allowed: OWNERS },
  { route: 'capsuleReproducibility', path: (f) => pathFor(ROUTES.capsuleReproducibility, { id: f.privateCapsule }), allowed: READERS_OF_PRIVATE },
  { route: 'setCapsuleReproducibility', path: (f) => pathFor(ROUTES.setCapsuleReproducibility, { id: f.privateCapsule }), body: () => ({ schedule: 'off' }), allowed: EDITORS },
  // --- capsules: the one shared with the lab is read by everyone, changed by its owner only ---
  { route: 'getCapsule', label: 'lab', path: (f) => pathFor(ROUTES.getCapsule, { id: f.labCapsule }), allowed: EVERYONE },
  { route: 'capsuleTree', label: 'lab', path: (f) => pathFor(ROUTES.capsuleTree, { id: f.labCapsule }), allowed: EVERYONE },
  { route: 'createCommit', label: 'lab', path: (f) => pathFor(ROUTES.createCommit, { id: f.labCapsule }), body: () => ({ message: 'change' }), allowed: OWNERS },
  { route: 'capsuleSharing', label: 'lab', path: (f) => pathFor(ROUTES.capsuleSharing, { id: f.labCapsule }), body: () => ({}), allowed: OWNERS },
  // --- datasets: a private one with a collaborator ---
  { route: 'listDatasets', path: () => pathFor(ROUTES.listDatasets, {}), allowed: EVERYONE },
  { route: 'createDataset', path: () => pathFor(ROUTES.createDataset, {}), body: () => ({ name: 'd' }), allowed: PEOPLE },
  { route: 'getDataset', path: (f) => pathFor(ROUTES.getDataset, { id: f.dataset }), allowed: READERS_OF_PRIVATE },
  { route: 'datasetSharing', path: (f) => pathFor(ROUTES.datasetSharing, { id: f.dataset }), body: () => ({}), allowed: OWNERS },
  { route: 'uploadBlob', path: (f) => pathFor(ROUTES.uploadBlob, { id: f.dataset, sha256: sha(blob) }), bytes: blob, allowed: EDITORS },
  { route: 'startUpload', path: (f) => pathFor(ROUTES.startUpload, { id: f.dataset }), body: () => ({ sha256: sha(blob), size: blob.length }), allowed: EDITORS },
  // The sandbox keeps its bytes itself: completing a pre-signed upload is refused (400) to whoever may upload.
  { route: 'completeUpload', path: (f) => pathFor(ROUTES.completeUpload, { id: f.dataset }), body: () => ({ uploadId: 'u', sha256: sha(blob), size: blob.length, parts: [{ partNumber: 1, etag: '"e"' }] }), allowed: EDITORS, allowedStatus: 400 },
  { route: 'createVersion', path: (f) => pathFor(ROUTES.createVersion, { id: f.dataset }), body: () => ({ files: [{ path: 'a.csv', size: blob.length, sha256: sha(blob) }] }), allowed: EDITORS },
  { route: 'listVersions', path: (f) => pathFor(ROUTES.listVersions, { id: f.dataset }), allowed: READERS_OF_PRIVATE },
  { route: 'getVersion', path: (f) => pathFor(ROUTES.getVersion, { id: f.dataset, version: f.version }), allowed: READERS_OF_PRIVATE },
  { route: 'datasetFile', path: (f) => pathFor(ROUTES.datasetFile, { id: f.dataset, version: f.version, '*': 'a.csv' }), allowed: READERS_OF_PRIVATE },
  // --- runs of the private capsule, launched by its owner ---
  { route: 'createRun', path: () => pathFor(ROUTES.createRun, {}), body: (f) => ({ capsuleId: f.privateCapsule, queue: 'gpu', datasets: [{ datasetId: f.dataset }] }), allowed: PEOPLE_OF_PRIVATE },
  { route: 'createRun', label: 'lab', path: () => pathFor(ROUTES.createRun, {}), body: (f) => ({ capsuleId: f.labCapsule, queue: 'gpu' }), allowed: PEOPLE },
  { route: 'listRuns', path: () => pathFor(ROUTES.listRuns, {}), allowed: PEOPLE },
  { route: 'getRun', path: (f) => pathFor(ROUTES.getRun, { id: f.finishedRun }), allowed: PEOPLE_OF_PRIVATE },
  { route: 'cancelRun', path: (f) => pathFor(ROUTES.cancelRun, { id: f.queuedRun }), allowed: RUN_MANAGERS },
  { route: 'rerun', path: (f) => pathFor(ROUTES.rerun, { id: f.finishedRun }), allowed: RUN_MANAGERS },
  { route: 'runLogs', path: (f) => pathFor(ROUTES.runLogs, { id: f.finishedRun }), allowed: PEOPLE_OF_PRIVATE },
  { route: 'streamLogs', path: (f) => pathFor(ROUTES.streamLogs, { id: f.finishedRun }), allowed: PEOPLE_OF_PRIVATE },
  { route: 'runResults', path: (f) => pathFor(ROUTES.runResults, { id: f.finishedRun }), allowed: PEOPLE_OF_PRIVATE },
  { route: 'resultFile', path: (f) => pathFor(ROUTES.resultFile, { id: f.finishedRun, '*': 'out.txt' }), allowed: PEOPLE_OF_PRIVATE },
  { route: 'openRunTerminal', path: (f) => pathFor(ROUTES.openRunTerminal, { id: f.finishedRun }), allowed: RUN_MANAGERS, allowedStatus: 409 },
  { route: 'runDownstream', path: (f) => pathFor(ROUTES.runDownstream, { id: f.finishedRun }), allowed: PEOPLE_OF_PRIVATE },
  { route: 'compareRuns', path: (f) => pathFor(ROUTES.compareRuns, { a: f.finishedRun, b: f.finishedRun }), allowed: PEOPLE_OF_PRIVATE },
];

/** Paths of the areas this matrix answers for; a new route there without a case fails the test. */
const COVERED = /^\/(metrics|api\/v1\/(health|queues|me|users|tokens|people|audit|capsules|datasets|runs)(\/|$))/;

async function statusOf(url: string, token: string, method: string, path: string, c: Case, f: Fixture): Promise<number> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: BodyInit | undefined;
  if (c.bytes) {
    headers['content-type'] = 'application/octet-stream';
    body = Buffer.from(c.bytes);
  } else if (c.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(c.body(f));
  }
  const res = await fetch(`${url}${path}`, { method, headers, body });
  await res.arrayBuffer();
  return res.status;
}

describe('who may call what: every people-and-data route × every role × owner, collaborator, other', () => {
  let h: Harness;
  let f: Fixture;

  beforeAll(async () => {
    h = await startHarness();
    const people = { pi: 'pi', owner: 'researcher', collab: 'researcher', other: 'researcher' } as const;
    const tokens = { admin: h.running.adminToken, worker: h.running.workerToken } as Record<Actor, string>;
    const ids = { admin: (await h.admin.me()).user.id, worker: (await h.worker.me()).user.id } as Record<Actor, string>;
    for (const [name, role] of Object.entries(people) as Array<[Actor, 'pi' | 'researcher']>) {
      const user = await h.admin.createUser({ name, role });
      ids[name] = user.id;
      tokens[name] = (await h.admin.createToken(user.id, 'matrix')).token;
    }
    const clients = Object.fromEntries(ACTORS.map((a) => [a, createPlatformClient({ url: h.running.url, token: tokens[a] })])) as Record<Actor, PlatformClient>;
    const owner = clients.owner;
    const privateCapsule = (await owner.createCapsule(exampleCapsule)).id;
    await owner.shareCapsule(privateCapsule, { collaborators: [ids.collab] });
    const labCapsule = (await owner.createCapsule({ ...exampleCapsule, visibility: 'lab' })).id;
    const dataset = (await owner.createDataset({ name: 'private data' })).id;
    await owner.uploadBlob(dataset, sha(blob), blob);
    const version = (await owner.createVersion(dataset, { files: [{ path: 'a.csv', size: blob.length, sha256: sha(blob) }] })).version;
    await owner.shareDataset(dataset, { collaborators: [ids.collab] });
    const run = await owner.createRun({ capsuleId: privateCapsule, datasets: [{ datasetId: dataset }] });
    const lease = (await clients.worker.lease({ queue: 'cpu', workerId: 'w1' }))!;
    const out = new TextEncoder().encode('out');
    const entry = await clients.worker.uploadResult(lease.leaseId, 'out.txt', { fencingToken: lease.fencingToken, sha256: sha(out), body: out });
    await clients.worker.complete(lease.leaseId, { fencingToken: lease.fencingToken, state: 'succeeded', exitCode: 0, results: { files: [entry] } });
    const queuedRun = (await owner.createRun({ capsuleId: privateCapsule, queue: 'gpu' })).id;
    const spareUser = (await h.admin.createUser({ name: 'spare', role: 'researcher' })).id;
    const spareToken = (await h.admin.createToken(spareUser)).id;
    f = { tokens, clients, ids, privateCapsule, labCapsule, dataset, version, finishedRun: run.id, queuedRun, spareUser, spareToken };
  });

  afterAll(async () => {
    await h?.close();
  });

  it('has a case for every route of these areas', () => {
    const withCase = new Set(cases.map((c) => c.route));
    const missing = (Object.keys(ROUTES) as RouteName[]).filter((name) => COVERED.test(ROUTES[name].path) && !withCase.has(name));
    expect(missing).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.route}${c.label ? ` (${c.label})` : ''}`, c] as const))('%s', async (_name, c) => {
    const spec = ROUTES[c.route];
    const got: Record<string, number> = {};
    const want: Record<string, string> = {};
    for (const actor of ACTORS) {
      const status = await statusOf(h.running.url, f.tokens[actor], spec.method, c.path(f), c, f);
      got[actor] = status;
      want[actor] = c.allowed.includes(actor) ? String(c.allowedStatus ?? '2xx') : '403';
    }
    const seen = Object.fromEntries(Object.entries(got).map(([a, s]) => [a, s >= 200 && s < 300 ? '2xx' : String(s)]));
    expect(seen).toEqual(want);
  });

  it('lists only what each caller may read', async () => {
    const ids = async (actor: Actor) => (await f.clients[actor].listCapsules({ limit: 500 })).items.map((c) => c.id);
    expect(await ids('other')).toContain(f.labCapsule);
    expect(await ids('other')).not.toContain(f.privateCapsule);
    expect(await ids('collab')).toContain(f.privateCapsule);
    expect(await ids('pi')).toContain(f.privateCapsule);
    expect((await f.clients.other.listDatasets()).items.map((d) => d.id)).not.toContain(f.dataset);
    expect((await f.clients.collab.listDatasets()).items.map((d) => d.id)).toContain(f.dataset);
    const runs = async (actor: Actor) => (await f.clients[actor].listRuns({ limit: 500 })).items.map((r) => r.id);
    expect(await runs('other')).not.toContain(f.finishedRun);
    expect(await runs('collab')).toContain(f.finishedRun);
    expect(await runs('pi')).toContain(f.finishedRun);
  });

  it('names the owner to ask in a refusal', async () => {
    await expect(f.clients.other.getCapsule(f.privateCapsule)).rejects.toMatchObject({ status: 403, message: expect.stringContaining('private to "owner"') });
    await expect(f.clients.collab.cancelRun(f.queuedRun)).rejects.toMatchObject({ status: 403, message: expect.stringContaining('only "owner" (who launched run') });
  });
});
