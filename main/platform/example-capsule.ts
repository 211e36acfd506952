import { readFileSync } from 'node:fs';
import type { PlatformClient } from '../../agents/protocol/client.js';
import type { Capsule, Run } from '../../agents/protocol/index.js';

export const EXAMPLE_CAPSULE_NAME = 'Example: random walks';
const FILES = ['main.py', 'tiny_png.py', 'README.md'];

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
  const capsule = await client.createCapsule({
    name: EXAMPLE_CAPSULE_NAME,
    description: 'Four seeded random walks, written as a CSV table and a PNG plot. Python standard library only.',
    environment: { baseImage: 'python:3.12-slim', apt: [], pip: [], conda: [] },
    command: ['python3', '/code/main.py'],
    files: FILES.map((name) => ({ path: name, content: readFileSync(new URL(`./example-capsule/${name}`, import.meta.url), 'utf8') })),
  });
  // The key makes a retried first start launch the same run, not a second one.
  const run = await client.createRun({ capsuleId: capsule.id, parameters: { seed: 42 } }, { idempotencyKey: `example-first-run-${capsule.id}` });
  return { capsule, run };
}
