import { createHash } from 'node:crypto';
import type { EnvironmentSpec } from '../../common/protocol/capsules.js';

// Bumped whenever renderDockerfile changes its output, so an old image is never reused for a
// Dockerfile it was not built from.
const DOCKERFILE_FORMAT = 'benchtop-env/1';

/** Packages de-duplicated and sorted: the order a capsule lists them in does not change the image. */
function normalized(spec: EnvironmentSpec): EnvironmentSpec {
  const tidy = (list: readonly string[]) => [...new Set(list)].sort();
  return { baseImage: spec.baseImage, apt: tidy(spec.apt), pip: tidy(spec.pip), conda: tidy(spec.conda) };
}

/** Every value is validated by the protocol's package-name rule, which admits no shell metacharacters but `<>!*~`; quote anyway. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The Dockerfile that builds a capsule's environment; deterministic for a given spec. */
export function renderDockerfile(spec: EnvironmentSpec): string {
  const env = normalized(spec);
  const lines = [`# ${DOCKERFILE_FORMAT}`, `FROM ${env.baseImage}`];
  if (env.apt.length > 0) {
    lines.push(
      'RUN apt-get update \\',
      ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${env.apt.map(shellQuote).join(' ')} \\`,
      ' && rm -rf /var/lib/apt/lists/*',
    );
  }
  if (env.conda.length > 0) {
    lines.push(`RUN conda install -y ${env.conda.map(shellQuote).join(' ')} && conda clean -afy`);
  }
  if (env.pip.length > 0) {
    lines.push(`RUN python3 -m pip install --no-cache-dir ${env.pip.map(shellQuote).join(' ')}`);
  }
  lines.push('WORKDIR /code', '');
  return lines.join('\n');
}

/** Content hash of an environment: sha256 of the Dockerfile it builds . */
export function environmentHash(spec: EnvironmentSpec): string {
  return createHash('sha256').update(renderDockerfile(spec)).digest('hex');
}

/** Spec in its canonical form, as recorded by runtimes that install nothing themselves. */
export function canonicalEnvironment(spec: EnvironmentSpec): EnvironmentSpec {
  return normalized(spec);
}
