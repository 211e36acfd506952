import {
  capsuleHistory,
  capsuleTree,
  commitCapsule,
  createCapsule,
  createCapsuleFromTemplate,
  getCapsule,
  listCapsules,
  listCapsuleTemplates,
  MAX_VIEW_BYTES,
  readCapsuleFile,
} from '../../../common/api/capsules.contract.js';
import type { Router } from '../../../common/api/router.js';
import type { Capsule } from '../../../common/protocol/index.js';
import { listTemplates, templateRequest } from './capsule-templates.js';
import { toFileContent } from './file-content.js';
import type { PlatformRegistry } from './platform-registry.js';

// The list is searched here rather than on the platform (API v1 has no search): at most this many
// pages of 500 are read, and the answer says when there were more.
const MAX_LIST_PAGES = 20;

function matches(capsule: Capsule, words: string[]): boolean {
  const hay = `${capsule.name} ${capsule.description} ${capsule.id}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function registerCapsules(router: Router, platforms: PlatformRegistry): void {
  router
    .handle(listCapsules, (input) =>
      platforms.withActive(async (client) => {
        const words = (input?.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
        const items: Capsule[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < MAX_LIST_PAGES; pages += 1) {
          const page = await client.listCapsules({ limit: 500, cursor });
          items.push(...page.items.filter((c) => matches(c, words)));
          cursor = page.next;
          if (!cursor) break;
        }
        items.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
        return { items, truncated: cursor !== undefined };
      }),
    )
    .handle(getCapsule, ({ id }) => platforms.withActive((client) => client.getCapsule(id)))
    .handle(capsuleTree, ({ id, ref }) => platforms.withActive((client) => client.tree(id, ref)))
    .handle(capsuleHistory, ({ id, cursor }) => platforms.withActive((client) => client.listCommits(id, { limit: 100, cursor })))
    .handle(readCapsuleFile, ({ id, path, ref }) =>
      platforms.withActive(async (client) => {
        const bytes = await client.readFile(id, path, ref);
        const truncated = bytes.length > MAX_VIEW_BYTES;
        return toFileContent(path, truncated ? bytes.subarray(0, MAX_VIEW_BYTES) : bytes, bytes.length, truncated);
      }),
    )
    .handle(commitCapsule, ({ id, ...body }) => platforms.withActive((client) => client.commit(id, body)))
    .handle(createCapsule, (body) => platforms.withActive((client) => client.createCapsule(body)))
    .handle(listCapsuleTemplates, () => ({ items: listTemplates() }))
    .handle(createCapsuleFromTemplate, ({ template, name, description }) =>
      platforms.withActive((client) => client.createCapsule(templateRequest(template, name, description))),
    );
}
