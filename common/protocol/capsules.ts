import { z } from 'zod';
import { commitSha, gitRef, id, isBase64, page, relativePath, timestamp } from './common.js';
import { sharing, visibility } from './sharing.js';

const packageName = z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._+:=<>!~,*@/-]*$/, 'must be a package name (optionally with a version)');

/** A capsule's environment, stored as `environment.json` in its repository. */
export const environmentSpec = z.strictObject({
  /** Base container image, e.g. "python:3.12-slim". */
  baseImage: z.string().min(1).max(300).regex(/^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$/, 'must be an image reference like "python:3.12-slim"'),
  apt: z.array(packageName).max(500).default([]),
  pip: z.array(packageName).max(500).default([]),
  conda: z.array(packageName).max(500).default([]),
  /** Runs of this capsule get network access unless a run says otherwise (not part of the image). */
  network: z.boolean().optional(),
});
export type EnvironmentSpec = z.infer<typeof environmentSpec>;

/** A command as argv (no shell); use ["sh", "-c", "..."] when a shell is wanted. */
export const command = z.array(z.string().min(1).max(4096)).min(1).max(256);

/** File names the platform reserves at the root of every capsule repository. */
export const ENVIRONMENT_FILE = 'environment.json';
/** Holds `{ "command": [...] }`, the capsule's default command. */
export const COMMAND_FILE = 'command.json';

// Code points HFS+ ignores in file names, so that ".g\u200cit" is ".git" on a Mac (git's utf8.c
// next_hfs_char).
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * The segment of `path` that git would take for its own `.git` folder, or null. Mirrors git's
 * verify_path (read-cache.c), which `git archive` and every checkout apply: ".git" in any case
 * (verify_dotfile); on NTFS also its 8.3 short name "git~1", trailing dots and spaces, and an
 * alternate data stream ("::$INDEX_ALLOCATION") (path.c is_ntfs_dotgit); on HFS+ ".git" with
 * ignorable code points inside (utf8.c is_hfs_dotgit). git applies the NTFS and HFS+ rules only
 * where those file systems may be, but a capsule is checked out on every kind of machine.
 */
export function gitReservedSegment(path: string): string | null {
  for (const segment of path.split('/')) {
    if (/^(?:\.git|git~1)[. ]*(?::.*)?$/i.test(segment)) return segment;
    if (/^\.git$/i.test(segment.replace(HFS_IGNORABLE, ''))) return segment;
  }
  return null;
}

const visible = (s: string) => s.replace(HFS_IGNORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A path a commit may write: a relative path without a segment git keeps for itself. */
export const capsulePath = relativePath.check((ctx) => {
  const segment = gitReservedSegment(ctx.value);
  if (segment !== null) {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `"${visible(ctx.value)}" has the segment "${visible(segment)}", which git reserves for its own .git folder (in any case, and its NTFS and HFS+ aliases); rename it`,
    });
  }
});

/** A file written by a commit; `content` is UTF-8 text or base64 bytes. */
export const fileWrite = z
  .strictObject({
    path: capsulePath,
    content: z.string().max(16 * 1024 * 1024),
    encoding: z.enum(['utf8', 'base64']).default('utf8'),
    executable: z.boolean().default(false),
  })
  .check((ctx) => {
    if (ctx.value.encoding === 'base64' && !isBase64(ctx.value.content)) {
      ctx.issues.push({ code: 'custom', input: ctx.value.content, path: ['content'], message: 'is not valid base64 (A-Z, a-z, 0-9, "+", "/", "=" padding at the end, no spaces)' });
    }
  });
export type FileWrite = z.input<typeof fileWrite>;

/** One commit of a capsule's history. */
export const commitInfo = z.object({
  sha: commitSha,
  message: z.string(),
  author: z.string(),
  createdAt: timestamp,
  parents: z.array(commitSha),
});
export type CommitInfo = z.infer<typeof commitInfo>;

/** A capsule as listed and read: its head version's environment and default command. */
export const capsule = z.object({
  id,
  name: z.string(),
  description: z.string(),
  head: commitSha,
  environment: environmentSpec,
  command,
  createdAt: timestamp,
  updatedAt: timestamp,
  /** Absent only from platforms older than ownership. */
  sharing: sharing.optional(),
});
export type Capsule = z.infer<typeof capsule>;

/** GET /api/v1/capsules. */
export const capsuleList = page(capsule);

/** POST /api/v1/capsules (admin, researcher): the first commit holds the files, environment and command. */
export const createCapsuleRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(2000).default(''),
  environment: environmentSpec,
  command,
  files: z.array(fileWrite).max(1000).default([]),
  /** Default private: only its owner (and PIs and admins) can see it until it is shared. */
  visibility: visibility.default('private'),
});
export type CreateCapsuleRequest = z.input<typeof createCapsuleRequest>;

/** POST /api/v1/capsules/:id/commits: a new version; `parent` (optional) must be the current head, else 409. */
export const createCommitRequest = z.strictObject({
  message: z.string().trim().min(1).max(5000),
  parent: commitSha.optional(),
  files: z.array(fileWrite).max(1000).default([]),
  delete: z.array(relativePath).max(1000).default([]),
  environment: environmentSpec.optional(),
  command: command.optional(),
});
export type CreateCommitRequest = z.input<typeof createCommitRequest>;

/** Answer of a commit: the new commit and the capsule at its new head. */
export const createCommitResponse = z.object({ commit: commitInfo, capsule });

/** GET /api/v1/capsules/:id/commits: history, newest first. */
export const commitList = page(commitInfo);

/** Query of tree, files and archive: which version (default HEAD). */
export const refQuery = z.strictObject({ ref: gitRef.default('HEAD') });

/** One file of a version's tree (recursive; directories are implied by paths). */
export const treeEntry = z.object({
  path: z.string(),
  type: z.enum(['file', 'executable', 'symlink']),
  size: z.number().int(),
});
export type TreeEntry = z.infer<typeof treeEntry>;

/** GET /api/v1/capsules/:id/tree?ref=: every file of that version. */
export const treeResponse = z.object({ commit: commitSha, entries: z.array(treeEntry) });
export type TreeResponse = z.infer<typeof treeResponse>;

/**
 * GET /api/v1/capsules/:id/files/<path>?ref= answers the raw bytes (application/octet-stream).
 * GET /api/v1/capsules/:id/archive?ref= answers the whole version as a tar (application/x-tar),
 * header `x-commit` giving the resolved commit — what a worker unpacks into /code.
 */
export const capsuleFileParams = z.strictObject({ id, '*': relativePath });

/** How often the platform repeats a capsule's last successful run to see that it still reproduces. */
export const reproSchedule = z.enum(['off', 'daily', 'weekly']);
export type ReproSchedule = z.infer<typeof reproSchedule>;

/** One check: the run repeated (from its record), the re-run, and how their results compared. */
export const reproCheck = z.object({
  baselineRunId: id,
  checkRunId: id,
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  /** null while the re-run is under way; `failed`: the re-run itself did not succeed. */
  outcome: z.enum(['reproduces', 'diverged', 'failed']).nullable(),
  /** Files changed, added or removed; null before the outcome. */
  differences: z.number().int().nullable(),
});
export type ReproCheck = z.infer<typeof reproCheck>;

/** GET /api/v1/capsules/:id/reproducibility: the schedule, the latest check, and a sentence saying where it stands. */
export const reproStatus = z.object({
  capsuleId: id,
  schedule: reproSchedule,
  nextCheckAt: timestamp.nullable(),
  latest: reproCheck.nullable(),
  /** e.g. "reproduces as of 2026-12-01" or "diverged on 2026-12-01: 2 files changed". */
  summary: z.string(),
});
export type ReproStatus = z.infer<typeof reproStatus>;

/** PUT /api/v1/capsules/:id/reproducibility (owner, collaborators, admin): the schedule; `checkNow` starts a check at once. */
export const reproSettingsRequest = z.strictObject({ schedule: reproSchedule, checkNow: z.boolean().default(false) });
