import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNativeEnvironments } from '../agents/worker/environments/native-environments.js';
import { buildWheel, startWheelIndex } from '../agents/worker/environments/testing/wheel-index.js';
import { numberOption } from './lib/number-option.js';

// Preparing a native environment (the sandbox without a container engine): a capsule with one pip
// package from a package index on 127.0.0.1. Cold: a new virtual environment (made without a pip
// of its own, filled by the interpreter's pip), the install and the lock list; warm: the cached
// environment found again. Baseline: `python3 -m venv` alone with its own pip (ensurepip), the
// simplest way to get an environment pip can install into, before anything is installed.
//   node --import tsx bench/native-environment.ts [--rounds N]

const ROUNDS = numberOption('--rounds', 3);

function emit(metric: string, value: number, unit: string, better: 'higher' | 'lower', extra: Record<string, number> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench: 'native-environment', metric, value: Math.round(value), unit, better, ...extra })}\n`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const root = mkdtempSync(join(tmpdir(), 'benchtop-bench-native-'));
try {
  mkdirSync(join(root, 'wheels'));
  const index = await startWheelIndex([buildWheel(join(root, 'wheels'), 'benchtop-probe', '1.0.0')]);
  const spec = { baseImage: 'python:3.11-slim', apt: [], pip: ['benchtop-probe==1.*'], conda: [] };
  const cold: number[] = [];
  const warm: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const environments = createNativeEnvironments({ cacheDir: join(root, `cache-${round}`), pip: { indexUrl: index.url } });
    let start = performance.now();
    (await environments.prepare(spec, () => undefined)).release?.();
    cold.push(performance.now() - start);
    start = performance.now();
    (await environments.prepare(spec, () => undefined)).release?.();
    warm.push(performance.now() - start);
    start = performance.now();
    execFileSync('python3', ['-m', 'venv', join(root, `plain-${round}`)], { stdio: 'ignore' });
    baseline.push(performance.now() - start);
  }
  await index.close();
  emit('cold prepare (venv + install + lock)', median(cold), 'ms', 'lower', { baseline: Math.round(median(baseline)) });
  emit('warm prepare (cached)', median(warm), 'ms', 'lower');
} finally {
  rmSync(root, { recursive: true, force: true });
}
