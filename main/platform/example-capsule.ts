import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PlatformClient } from '../../lib/protocol/client.js';
import type { Capsule, Run } from '../../common/protocol/index.js';

export const EXAMPLE_CAPSULE_NAME = 'Example: random walks';
const FILES = ['main.py', 'tiny_png.py', 'README.md'];

/** The capsule's files next to this module (sources), or at their source path from a dist/ bundle. */
function exampleFolder(): string {
  const candidates = ['./example-capsule/', '../../main/platform/example-capsule/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((dir) => existsSync(`${dir}main.py`));
  if (!found) throw new Error(`cannot find the example capsule's files (looked in ${candidates.join(' and ')})`);
  return found;
}

/**
 * Creates the example capsule and launches its first run, once per platform: a new user sees a
 * real run with a table and a plot without writing anything. Answers null when it already exists.
 */
export async function ensureExampleCapsule(client: PlatformClient): Promise<{ capsule: Capsule; run: Run } | null> {
  for (let cursor: string | undefined, pages = 0; pages < 100; pages += 1) {
    const page = await client.listCapsules({ limit: 500, cursor });
    if (page.items.some((c) => c.name === EXAMPLE_CAPSULE_NAME)) return null;
    if (!page.next) break;
    cursor = page.next;
  }
  const folder = exampleFolder();
  const capsule = await client.createCapsule({
    name: EXAMPLE_CAPSULE_NAME,
    description: 'Four seeded random walks, written as a CSV table and a PNG plot. Python standard library only.',
    environment: { baseImage: 'python:3.12-slim', apt: [], pip: [], conda: [] },
    command: ['python3', '/code/main.py'],
    files: FILES.map((name) => ({ path: name, content: readFileSync(`${folder}${name}`, 'utf8') })),
  });
  // The key makes a retried first start launch the same run, not a second one.
  const run = await client.createRun({ capsuleId: capsule.id, parameters: { seed: 42 } }, { idempotencyKey: `example-first-run-${capsule.id}` });
  return { capsule, run };
}
