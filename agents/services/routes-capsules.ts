import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { idParams, pageQuery } from '../../common/protocol/common.js';
import { capsuleFileParams, createCapsuleRequest, createCommitRequest, refQuery } from '../../common/protocol/capsules.js';
import type { Services } from './context.js';
import { GitError, type GitStream } from './git.js';
import { gitDownload } from './git-download.js';
import { badInput, conflict, notFound, parseInput } from './http-error.js';
import { cursorNumber, principalOf } from './route-helpers.js';

const READERS = ['admin', 'researcher', 'worker'] as const;
const WRITERS = ['admin', 'researcher'] as const;

export function registerCapsuleRoutes(app: FastifyInstance, s: Services): void {
  app.get('/api/v1/capsules', { config: { access: READERS } }, async (req) => {
    const q = parseInput(pageQuery, req.query, 'query');
    return s.capsules.list(q.limit, cursorNumber(q.cursor, 0));
  });

  app.post('/api/v1/capsules', { config: { access: WRITERS } }, async (req, reply) => {
    const body = parseInput(createCapsuleRequest, req.body, 'body');
    return reply.code(201).send(await s.capsules.create(body, principalOf(req).user));
  });

  app.get('/api/v1/capsules/:id', { config: { access: READERS } }, async (req) => {
    const p = parseInput(idParams, req.params, 'params');
    return s.capsules.get(p.id);
  });

  app.post('/api/v1/capsules/:id/commits', { config: { access: WRITERS } }, async (req, reply) => {
    const p = parseInput(idParams, req.params, 'params');
    const body = parseInput(createCommitRequest, req.body, 'body');
    return reply.code(201).send(await s.capsules.commit(p.id, body, principalOf(req).user));
  });

  app.get('/api/v1/capsules/:id/commits', { config: { access: READERS } }, async (req) => {
    const p = parseInput(idParams, req.params, 'params');
    const q = parseInput(pageQuery, req.query, 'query');
    const skip = cursorNumber(q.cursor, 0);
    const capsule = s.capsules.get(p.id);
    const items = await s.capsules.repo(p.id).log(capsule.head, skip, q.limit + 1);
    return { items: items.slice(0, q.limit), ...(items.length > q.limit ? { next: String(skip + q.limit) } : {}) };
  });

  app.get('/api/v1/capsules/:id/tree', { config: { access: READERS } }, async (req) => {
    const p = parseInput(idParams, req.params, 'params');
    const q = parseInput(refQuery, req.query, 'query');
    const { commit } = await s.capsules.version(p.id, q.ref);
    return { commit, entries: await s.capsules.repo(p.id).tree(commit) };
  });

  app.get('/api/v1/capsules/:id/files/*', { config: { access: READERS } }, async (req, reply) => {
    const p = parseInput(capsuleFileParams, req.params, 'params');
    const q = parseInput(refQuery, req.query, 'query');
    const commit = await resolveCommit(s, p.id, q.ref);
    const repo = s.capsules.repo(p.id);
    const type = await repo.typeOf(commit, p['*']);
    if (type === null) throw notFound(`file ${p['*']} at ${commit.slice(0, 12)} of capsule ${p.id}`);
    if (type !== 'blob') throw badInput(`params.*: ${p['*']} is a folder; list it with GET /api/v1/capsules/${p.id}/tree`);
    const body = await download(req, repo.blobStream(commit, p['*']), `file ${p['*']} at ${commit.slice(0, 12)} of capsule ${p.id}`);
    return reply.type('application/octet-stream').header('x-commit', commit).send(body);
  });

  app.get('/api/v1/capsules/:id/archive', { config: { access: READERS } }, async (req, reply) => {
    const p = parseInput(idParams, req.params, 'params');
    const q = parseInput(refQuery, req.query, 'query');
    const commit = await resolveCommit(s, p.id, q.ref);
    const what = `version ${commit.slice(0, 12)} of capsule ${p.id}`;
    const body = await download(req, s.capsules.repo(p.id).archiveStream(commit), what).catch((error: unknown) => {
      // Stored before paths were checked: every worker staging a run of it would fail the same way.
      const path = error instanceof GitError ? /invalid path '(.*)'/.exec(error.stderr)?.[1] : undefined;
      if (path === undefined) throw error;
      throw conflict(`${what} holds the path "${path}", which git refuses to check out (it names git's own .git folder); commit a version that deletes it (field "delete") and run that one`);
    });
    return reply.type('application/x-tar').header('x-commit', commit).send(body);
  });
}

/** A git stream as a response body; a download cut off after its first bytes is only logged. */
function download(req: FastifyRequest, git: GitStream, what: string): Promise<Readable> {
  return gitDownload(git, (error) => {
    if (error instanceof GitError) req.log.error({ err: error }, `git failed while sending ${what}`);
    else req.log.info(`download of ${what} ended early: ${error.message}`);
  });
}

async function resolveCommit(s: Services, capsuleId: string, ref: string): Promise<string> {
  const capsule = s.capsules.get(capsuleId);
  if (ref === 'HEAD') return capsule.head;
  const commit = await s.capsules.repo(capsuleId).resolve(ref);
  if (!commit) throw notFound(`version ${ref} of capsule ${capsuleId}`);
  return commit;
}
