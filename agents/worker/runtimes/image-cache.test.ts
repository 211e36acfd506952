import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageCache } from './image-cache.js';

// A docker client that knows three images of 400 bytes each, records removals, and refuses to
// remove one a container still uses, as the engine does.
let dir: string;
let docker: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'benchtop-image-cache-'));
  docker = join(dir, 'docker');
  writeFileSync(
    docker,
    `#!/bin/sh
case "$1 $2" in
  "image inspect") echo 400;;
  "image rm")
    if [ "$3" = benchtop-env:busy ]; then echo "Error response from daemon: conflict: unable to remove repository reference \\"$3\\" (must force) - container abc is using its referenced image" >&2; exit 1; fi
    echo "$3" >> "${dir}/removed"; shift 2; echo "$*" > "${dir}/rm-args";;
esac
`,
  );
  chmodSync(docker, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const removed = () => {
  try {
    return readFileSync(join(dir, 'removed'), 'utf8').trim().split('\n');
  } catch {
    return [];
  }
};

describe('environment image cache', () => {
  it('removes the least recently used images beyond its bound, never one in use, and writes its usage', async () => {
    const cache = new ImageCache({ docker, file: join(dir, 'images.json'), maxBytes: 900 });
    const first = await cache.use('benchtop-env:a');
    (await cache.use('benchtop-env:b')).release();
    (await cache.use('benchtop-env:c')).release();
    // 1,200 bytes: "a" is the oldest but a run holds it, so "b" goes.
    expect(removed()).toEqual(['benchtop-env:b']);
    first.release();
    const { usage } = await cache.use('benchtop-env:d');
    expect(removed()).toEqual(['benchtop-env:b', 'benchtop-env:a']);
    expect(usage).toMatchObject({ entries: 2, bytes: 800, maxBytes: 900 });
    expect(JSON.parse(readFileSync(join(dir, 'usage.json'), 'utf8'))).toMatchObject({ entries: 2, bytes: 800 });
  });

  it('removes an image with its other tags, so that its layers are freed', async () => {
    const cache = new ImageCache({ docker, file: join(dir, 'images.json'), maxBytes: 500 });
    (await cache.use('repo@sha256:aa', ['benchtop-env:h1', 'repo:h1'])).release();
    (await cache.use('repo@sha256:bb', ['benchtop-env:h2', 'repo:h2'])).release();
    expect(readFileSync(join(dir, 'rm-args'), 'utf8').trim()).toBe('repo@sha256:aa benchtop-env:h1 repo:h1');
  });

  it('keeps an image the engine will not remove, and remembers uses across restarts', async () => {
    const cache = new ImageCache({ docker, file: join(dir, 'images.json'), maxBytes: 500 });
    (await cache.use('benchtop-env:busy')).release();
    (await cache.use('benchtop-env:new')).release();
    expect(removed()).toEqual([]);
    const again = new ImageCache({ docker, file: join(dir, 'images.json'), maxBytes: 500 });
    const { usage } = await again.use('benchtop-env:third');
    expect(removed()).toEqual(['benchtop-env:new']);
    expect(usage.entries).toBe(2);
  });
});
