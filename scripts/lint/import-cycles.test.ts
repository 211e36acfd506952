import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// No module imports itself through others at run time: a cycle makes load order decide whether a
// value is initialised. esbuild resolves the imports (type-only ones are erased, as at run time)
// and the cycles are the strongly connected components of that graph (Tarjan).

const root = path.resolve(import.meta.dirname, '../..');

function sourceFiles(): string[] {
  return execFileSync('git', ['ls-files', 'common', 'lib', 'main', 'agents', 'renderer/src', 'templates'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$|\.d\.ts$|(^|\/)testing\//.test(f));
}

function cyclesOf(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) cycles.push(component.reverse());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('import graph', () => {
  it('finds a cycle when there is one', () => {
    expect(cyclesOf(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cyclesOf(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  // esbuild resolving every source file is work, not waiting: 17 s at load 18, near the 30 s default.
  it('has no run-time import cycle in any tier', { timeout: 120_000 }, async () => {
    const result = await build({
      entryPoints: sourceFiles(),
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      outdir: 'out',
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
      loader: { '.css': 'empty' },
    });
    const inputs = result.metafile.inputs;
    const graph = new Map(Object.entries(inputs).map(([file, input]) => [file, input.imports.map((i) => i.path).filter((p) => p in inputs)]));
    expect(graph.size).toBeGreaterThan(200);
    expect(cyclesOf(graph)).toEqual([]);
  });
});
