import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { pathFor, ROUTES } from '../../common/protocol/routes.js';
import type { Services } from './context.js';
import { GitError, type GitStream } from './git.js';
import { gitDownload } from './git-download.js';
import { badInput, conflict, notFound } from './http-error.js';
import { registerRoute } from './register-route.js';
import { cursorNumber } from './route-helpers.js';
import { updateSharing } from './sharing-update.js';

export function registerCapsuleRoutes(app: FastifyInstance, s: Services): void {
  registerRoute(app, ROUTES.listCapsules, async ({ query, principal }) =>
    s.capsules.list(query.limit, cursorNumber(query.cursor, 0), s.access.readableScope(principal.user, 'capsule', 'x')),
  );

  registerRoute(app, ROUTES.createCapsule, async ({ body, principal }) => s.capsules.create(body, principal.user));

  registerRoute(app, ROUTES.getCapsule, async ({ params, principal }) => {
    s.access.require(principal.user, 'capsule', params.id, 'read');
    return s.capsules.get(params.id);
  });

  registerRoute(app, ROUTES.createCommit, async ({ params, body, principal }) => {
    s.access.require(principal.user, 'capsule', params.id, 'edit');
    return s.capsules.commit(params.id, body, principal.user);
  });

  registerRoute(app, ROUTES.capsuleReproducibility, async ({ params, principal }) => {
    s.access.require(principal.user, 'capsule', params.id, 'read');
    return s.checks.status(params.id);
  });

  registerRoute(app, ROUTES.setCapsuleReproducibility, async ({ params, body, principal }) => {
    s.access.require(principal.user, 'capsule', params.id, 'edit');
    return s.checks.configure(params.id, body.schedule, body.checkNow, principal.user);
  });

  registerRoute(app, ROUTES.capsuleSharing, async ({ params, body, principal }) => {
    s.access.require(principal.user, 'capsule', params.id, 'own');
    await s.writes.run(() => updateSharing(s.db, 'capsule', params.id, body, principal.user));
    return s.capsules.get(params.id);
  });

  registerRoute(app, ROUTES.listCommits, async ({ params, query, principal }) => {
    s.access.require(principal.user, 'capsule', params.id, 'read');
    const skip = cursorNumber(query.cursor, 0);
    const capsule = s.capsules.get(params.id);
    const items = await s.capsules.repo(params.id).log(capsule.head, skip, query.limit + 1);
    return { items: items.slice(0, query.limit), ...(items.length > query.limit ? { next: String(skip + query.limit) } : {}) };
  });

  registerRoute(app, ROUTES.capsuleTree, async ({ params, query, principal }) => {
    s.access.require(principal.user, 'capsule', params.id, 'read');
    const { commit } = await s.capsules.version(params.id, query.ref);
    return { commit, entries: await s.capsules.repo(params.id).tree(commit) };
  });

  registerRoute(app, ROUTES.capsuleFile, async ({ params, query, principal }, req, reply) => {
    s.access.require(principal.user, 'capsule', params.id, 'read');
    const { id, '*': path } = params;
    const commit = await resolveCommit(s, id, query.ref);
    const repo = s.capsules.repo(id);
    const type = await repo.typeOf(commit, path);
    if (type === null) throw notFound(`file ${path} at ${commit.slice(0, 12)} of capsule ${id}`);
    if (type !== 'blob') throw badInput(`params.*: ${path} is a folder; list it with GET ${pathFor(ROUTES.capsuleTree, { id })}`);
    const body = await download(req, repo.blobStream(commit, path), `file ${path} at ${commit.slice(0, 12)} of capsule ${id}`);
    return reply.header('x-commit', commit).send(body);
  });

  registerRoute(app, ROUTES.capsuleArchive, async ({ params, query, principal }, req, reply) => {
    s.access.require(principal.user, 'capsule', params.id, 'read');
    const commit = await resolveCommit(s, params.id, query.ref);
    const what = `version ${commit.slice(0, 12)} of capsule ${params.id}`;
    const body = await download(req, s.capsules.repo(params.id).archiveStream(commit), what).catch((error: unknown) => {
      // Stored before paths were checked: every worker staging a run of it would fail the same way.
      const path = error instanceof GitError ? /invalid path '(.*)'/.exec(error.stderr)?.[1] : undefined;
      if (path === undefined) throw error;
      throw conflict(`${what} holds the path "${path}", which git refuses to check out (it names git's own .git folder); commit a version that deletes it (field "delete") and run that one`);
    });
    return reply.header('x-commit', commit).send(body);
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
