import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the preload bundle', () => {
  it('requires nothing but electron, as a sandboxed preload must', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./preload.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const requires = new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path)));
    expect([...requires]).toEqual(['electron']);
    expect(result.outputFiles[0]?.text.length).toBeLessThan(10_000);
  });
});
