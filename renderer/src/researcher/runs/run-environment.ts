import type { EnvironmentFidelity, ResolvedEnvironment, Run } from '../../../../common/protocol/index.js';

const FIDELITY: Record<EnvironmentFidelity, string> = {
  container: 'Container',
  'native-complete': 'Native (complete)',
  'native-partial': 'Native (partial: apt packages skipped)',
  host: 'Host programs',
};

/** How faithfully a run had its capsule's environment, in the words the capsule and run pages use. */
export function fidelityLabel(environment: Pick<ResolvedEnvironment, 'fidelity' | 'skipped'>): string {
  if (environment.fidelity === 'native-partial' && !environment.skipped.some((s) => s.startsWith('apt '))) return 'Native (partial: packages skipped)';
  return FIDELITY[environment.fidelity];
}

/** One way two runs' environments differ: what, and its value in each run. */
export interface EnvironmentDifference {
  what: string;
  first: string;
  second: string;
}

const NONE = 'not installed';

function packageVersions(environment: ResolvedEnvironment): Map<string, string> {
  return new Map(environment.packages.map((p) => [`${p.manager} ${p.name}`, p.version]));
}

/**
 * Everything that differs between what two runs executed in: the spec they asked for, how it was
 * honoured (container, native, host), the image or interpreter, each locked package's version and
 * what was skipped. Empty when both ran in the same environment.
 */
export function environmentDifferences(a: Run, b: Run): EnvironmentDifference[] {
  const out: EnvironmentDifference[] = [];
  const add = (what: string, first: string | undefined, second: string | undefined) => {
    if ((first ?? '') !== (second ?? '')) out.push({ what, first: first ?? '—', second: second ?? '—' });
  };
  add('Base image', a.environment.baseImage, b.environment.baseImage);
  add('Environment spec (hash)', a.environmentHash.slice(0, 12), b.environmentHash.slice(0, 12));
  const [ea, eb] = [a.resolvedEnvironment, b.resolvedEnvironment];
  if (!ea || !eb) {
    if (ea || eb) add('Recorded environment', ea ? fidelityLabel(ea) : 'not recorded', eb ? fidelityLabel(eb) : 'not recorded');
    return out;
  }
  add('Environment fidelity', fidelityLabel(ea), fidelityLabel(eb));
  add('Image', ea.image, eb.image);
  add('Interpreter', ea.interpreter, eb.interpreter);
  const [pa, pb] = [packageVersions(ea), packageVersions(eb)];
  for (const name of [...new Set([...pa.keys(), ...pb.keys()])].sort()) add(name, pa.get(name) ?? NONE, pb.get(name) ?? NONE);
  add('Skipped', ea.skipped.join(', ') || 'nothing', eb.skipped.join(', ') || 'nothing');
  return out;
}
