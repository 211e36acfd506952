import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// Each agent is bundled alone, as the artifact instances download is: a cross-tier import (an
// agent reaching into main/ or into the other agent) either fails to resolve on the instance or
// drags the app along. The bundle's own inputs say which files it needs.

const root = path.resolve(import.meta.dirname, '..');

async function bundleInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
    packages: 'external',
  });
  return Object.keys(result.metafile.inputs);
}

describe('agent bundles', () => {
  it.each([
    ['services', 'agents/services/main.ts'],
    ['worker', 'agents/worker/main.ts'],
  ])('the %s agent bundles from common/, lib/ and its own folder only', async (agent, entry) => {
    const inputs = await bundleInputs(entry);
    expect(inputs.length).toBeGreaterThan(5);
    const outside = inputs.filter((file) => !file.startsWith(`agents/${agent}/`) && !file.startsWith('common/') && !file.startsWith('lib/'));
    expect(outside).toEqual([]);
  });
});
