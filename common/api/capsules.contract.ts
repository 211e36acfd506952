import { z } from 'zod';
import {
  capsule,
  commitInfo,
  createCapsuleRequest,
  createCommitRequest,
  createCommitResponse,
  gitRef,
  id,
  relativePath,
  treeResponse,
} from '../protocol/index.js';
import { defineCall } from './contract.js';

// Capsule calls proxy the active platform (Platform API v1) with its token; inputs and answers are
// the protocol's own schemas wherever they fit, so nothing is restated.

export const listCapsules = defineCall('capsules:list', {
  input: z.object({ search: z.string().max(200).optional() }).strict().optional(),
  output: z.object({ items: z.array(capsule), truncated: z.boolean() }),
});

export const getCapsule = defineCall('capsules:get', {
  input: z.object({ id }).strict(),
  output: capsule,
});

export const capsuleTree = defineCall('capsules:tree', {
  input: z.object({ id, ref: gitRef.default('HEAD') }).strict(),
  output: treeResponse,
});

export const capsuleHistory = defineCall('capsules:history', {
  input: z.object({ id, cursor: z.string().max(200).optional() }).strict(),
  output: z.object({ items: z.array(commitInfo), next: z.string().optional() }),
});

/** Files larger than this are cut for viewing (the whole file is still in the capsule). */
export const MAX_VIEW_BYTES = 2 * 1024 * 1024;

/** A file's content for a viewer: text as UTF-8, anything else base64. */
export const fileContent = z.object({
  path: z.string(),
  size: z.number().int(),
  encoding: z.enum(['utf8', 'base64']),
  content: z.string(),
  /** True when only the first MAX_VIEW_BYTES (or maxBytes) are included. */
  truncated: z.boolean(),
});
export type FileContent = z.infer<typeof fileContent>;

export const readCapsuleFile = defineCall('capsules:read-file', {
  input: z.object({ id, path: relativePath, ref: gitRef.default('HEAD') }).strict(),
  output: fileContent,
});

/** A new version: edited or uploaded files, deletions; `parent` guards against a concurrent edit (409). */
export const commitCapsule = defineCall('capsules:commit', {
  input: createCommitRequest.extend({ id }),
  output: createCommitResponse,
});

export const createCapsule = defineCall('capsules:create', {
  input: createCapsuleRequest,
  output: capsule,
});

export const capsuleTemplateId = z.enum(['python', 'r', 'shell']);
export type CapsuleTemplateId = z.infer<typeof capsuleTemplateId>;

export const listCapsuleTemplates = defineCall('capsules:list-templates', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({
    items: z.array(z.object({ id: capsuleTemplateId, label: z.string(), description: z.string(), baseImage: z.string(), files: z.array(z.string()) })),
  }),
});

export const createCapsuleFromTemplate = defineCall('capsules:create-from-template', {
  input: z
    .object({
      template: capsuleTemplateId,
      name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
      description: z.string().max(2000).default(''),
    })
    .strict(),
  output: capsule,
});
