import { describe, expect, it } from 'vitest';
import { makeRun } from '../testing/fake-platform.js';
import { environmentDifferences, fidelityLabel } from './run-environment.js';

const native = (version: string) => ({
  fidelity: 'native-complete' as const,
  interpreter: 'CPython 3.11.7',
  packages: [
    { manager: 'pip' as const, name: 'benchtop-probe', version },
    { manager: 'pip' as const, name: 'six', version: '1.16.0' },
  ],
  skipped: [],
  summary: 'native',
});

describe('run environments', () => {
  it('names the fidelity as the capsule page does', () => {
    expect(fidelityLabel({ fidelity: 'native-partial', skipped: ['apt package git'] })).toBe('Native (partial: apt packages skipped)');
    expect(fidelityLabel({ fidelity: 'native-partial', skipped: ['conda package gdal (no micromamba, mamba or conda on this machine)'] })).toBe('Native (partial: packages skipped)');
    expect(fidelityLabel({ fidelity: 'container', skipped: [] })).toBe('Container');
  });

  it('lists each package whose locked version differs, and nothing for the same environment', () => {
    const a = makeRun({ resolvedEnvironment: native('1.0.0') });
    expect(environmentDifferences(a, makeRun({ id: 'run_00000000000000000002', resolvedEnvironment: native('1.0.0') }))).toEqual([]);
    const b = makeRun({ resolvedEnvironment: { ...native('1.1.0'), interpreter: 'CPython 3.12.1', packages: [{ manager: 'pip', name: 'benchtop-probe', version: '1.1.0' }] } });
    expect(environmentDifferences(a, b)).toEqual([
      { what: 'Interpreter', first: 'CPython 3.11.7', second: 'CPython 3.12.1' },
      { what: 'pip benchtop-probe', first: '1.0.0', second: '1.1.0' },
      { what: 'pip six', first: '1.16.0', second: 'not installed' },
    ]);
  });

  it('shows a container run against a partial native one, and a run with no recorded environment', () => {
    const container = makeRun({ resolvedEnvironment: { fidelity: 'container', image: 'sha256:ab', packages: [], skipped: [], summary: 'container' } });
    const partial = makeRun({ resolvedEnvironment: { fidelity: 'native-partial', packages: [], skipped: ['apt package git'], summary: 'partial' } });
    expect(environmentDifferences(container, partial)).toEqual([
      { what: 'Environment fidelity', first: 'Container', second: 'Native (partial: apt packages skipped)' },
      { what: 'Image', first: 'sha256:ab', second: '—' },
      { what: 'Skipped', first: 'nothing', second: 'apt package git' },
    ]);
    expect(environmentDifferences(container, makeRun())).toEqual([{ what: 'Recorded environment', first: 'Container', second: 'not recorded' }]);
  });
});
