import { describe, expect, it } from 'vitest';
import { environmentHash, renderDockerfile } from './environment-hash.js';

const spec = { baseImage: 'python:3.12-slim', apt: ['git', 'curl'], pip: ['numpy==2.1.0', 'pandas'], conda: [] };

describe('environment hashing', () => {
  it('renders a deterministic Dockerfile with sorted, quoted packages', () => {
    expect(renderDockerfile(spec)).toBe(
      [
        '# benchtop-env/1',
        'FROM python:3.12-slim',
        'RUN apt-get update \\',
        " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends 'curl' 'git' \\",
        ' && rm -rf /var/lib/apt/lists/*',
        "RUN python3 -m pip install --no-cache-dir 'numpy==2.1.0' 'pandas'",
        'WORKDIR /code',
        '',
      ].join('\n'),
    );
  });

  it('gives the same hash whatever the order or repetition of packages, another for any real change', () => {
    const hash = environmentHash(spec);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(environmentHash({ ...spec, apt: ['curl', 'git', 'curl'] })).toBe(hash);
    expect(environmentHash({ ...spec, pip: ['numpy==2.1.1', 'pandas'] })).not.toBe(hash);
    expect(environmentHash({ ...spec, baseImage: 'python:3.13-slim' })).not.toBe(hash);
    expect(environmentHash({ ...spec, conda: ['scipy'] })).not.toBe(hash);
  });
});
