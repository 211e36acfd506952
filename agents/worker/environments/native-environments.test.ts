import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSpec } from '../../../common/protocol/capsules.js';
import { probeBubblewrap } from '../runtimes/bubblewrap.js';
import { createProcessRuntime } from '../runtimes/process-runtime.js';
import type { PreparedEnvironment, RunMounts } from '../runtimes/runtime.js';
import { createNativeEnvironments } from './native-environments.js';
import { buildWheel, canMakeVenvs, startWheelIndex, type WheelIndex } from './testing/wheel-index.js';

// A capsule that needs `benchtop-probe==1.*` from a package index on 127.0.0.1 (no internet),
// its wheel built here. The rerun's lock against a newer release is proven through the sandbox
// (main/platform/sandbox-environments.test.ts).
const spec: EnvironmentSpec = { baseImage: 'python:3.11-slim', apt: [], pip: ['benchtop-probe==1.*'], conda: [] };
const venvs = canMakeVenvs();
let root: string;
let index: WheelIndex;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'benchtop-native-env-'));
  const wheels = join(root, 'wheels');
  mkdirSync(wheels);
  index = await startWheelIndex([buildWheel(wheels, 'benchtop-probe', '1.0.0')]);
}, 60_000);
afterAll(async () => {
  await index?.close();
  rmSync(root, { recursive: true, force: true });
});

const log: string[] = [];
const environments = (cache: string, options: { python?: string } = {}) => createNativeEnvironments({ cacheDir: join(root, cache), pip: { indexUrl: index.url }, ...options });

/** Runs `python -c` in the environment through the process runtime (bubblewrap when this machine has it), answering what it printed. */
async function importedVersion(environment: PreparedEnvironment): Promise<string> {
  const run = mkdtempSync(join(root, 'run-'));
  const mounts: RunMounts = { code: join(run, 'code'), data: join(run, 'data'), results: join(run, 'results'), scratch: join(run, 'tmp') };
  for (const dir of Object.values(mounts)) mkdirSync(dir);
  const runtime = createProcessRuntime({ isolation: probeBubblewrap() ? 'auto' : false, hide: [root] });
  const child = await runtime.start({
    runId: 'run_native0001',
    command: ['sh', '-c', 'python -c "import benchtop_probe, sys; print(benchtop_probe.VERSION, sys.prefix)" > /results/out.txt'],
    env: {},
    mounts,
    network: false,
    resources: {},
    environment,
  });
  const errors: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => errors.push(c));
  child.stdout.resume();
  const exit = await child.exit;
  expect(Buffer.concat(errors).toString(), 'the run\'s stderr').toBe('');
  expect(exit.exitCode).toBe(0);
  return readFileSync(join(mounts.results, 'out.txt'), 'utf8').trim();
}

describe.runIf(venvs)('native environments (python3 with venv)', () => {
  let locked: PreparedEnvironment;

  it('builds a virtual environment with the pip package from the loopback index, records the lock list, and the run imports it', async () => {
    locked = await environments('cache-a').prepare(spec, (line) => log.push(line));
    expect(locked.resolved.fidelity).toBe('native-complete');
    expect(locked.resolved.interpreter).toMatch(/^CPython 3\./);
    expect(locked.resolved.packages).toContainEqual({ manager: 'pip', name: 'benchtop-probe', version: '1.0.0' });
    expect(log.some((l) => /Successfully installed benchtop-probe-1\.0\.0/.test(l)), 'pip\'s output in the build log').toBe(true);
    const [version, prefix] = (await importedVersion(locked)).split(' ');
    expect(version).toBe('1.0.0');
    expect(prefix).toBe(locked.native?.env.VIRTUAL_ENV);
    locked.release?.();
  }, 120_000);

  it('reuses the built environment for the same spec', async () => {
    const again = await environments('cache-a').prepare(spec, () => undefined);
    expect(again.native?.path).toEqual(locked.native?.path);
    expect(again.resolved.packages).toEqual(locked.resolved.packages);
  }, 60_000);

  it('fails the build with pip\'s own error when a package cannot be found', async () => {
    const missing = { ...spec, pip: ['benchtop-absent==3.0'] };
    await expect(environments('cache-d').prepare(missing, () => undefined)).rejects.toThrow(/installing the pip packages failed \(pip exited 1\):[\s\S]*benchtop-absent/);
  }, 120_000);
});

describe('native environments without a container engine', () => {
  it('refuses apt packages before anything is built, naming them and how to go on', async () => {
    const apt = { baseImage: 'debian:bookworm-slim', apt: ['libgdal-dev'], pip: [], conda: [] };
    await expect(environments('cache-e').prepare(apt, () => undefined)).rejects.toThrow(/apt package libgdal-dev.*cannot install without a container engine.*partial environment.*Docker or Podman/);
  });

  it('goes on marked partial when the run allows it, listing what was skipped', async () => {
    const apt = { baseImage: 'debian:bookworm-slim', apt: ['libgdal-dev', 'git'], pip: [], conda: [] };
    const lines: string[] = [];
    const partial = await environments('cache-e').prepare(apt, (line) => lines.push(line), { partial: true });
    expect(partial.resolved.fidelity).toBe('native-partial');
    expect(partial.resolved.skipped).toEqual(['apt package git', 'apt package libgdal-dev']);
    expect(lines.join('\n')).toMatch(/partial environment.*not installed: apt package git, apt package libgdal-dev/);
  });

  it('treats conda packages as skipped when no micromamba, mamba or conda is installed', async () => {
    const conda = { baseImage: 'debian:bookworm-slim', apt: [], pip: [], conda: ['gdal'] };
    const native = createNativeEnvironments({ cacheDir: join(root, 'cache-f'), condaTools: ['benchtop-no-such-micromamba'] });
    await expect(native.prepare(conda, () => undefined)).rejects.toThrow(/conda package gdal \(no micromamba, mamba or conda on this machine\)/);
    expect((await native.prepare(conda, () => undefined, { partial: true })).resolved.fidelity).toBe('native-partial');
  });

  it('makes a conda environment with micromamba when it is installed, and locks its packages', async () => {
    // A micromamba stand-in: `create -p PREFIX` makes a prefix whose python answers as one would.
    const bin = join(root, 'conda-bin');
    mkdirSync(bin);
    const stub = join(bin, 'python-stub');
    writeFileSync(
      stub,
      [
        '#!/bin/sh',
        'prefix=$(cd "$(dirname "$0")/.." && pwd)',
        `if [ "$1" = -c ]; then printf '{"implementation": "CPython", "version": "3.12.7", "executable": "%s/bin/python", "basePrefix": "%s"}\\n' "$prefix" "$prefix"; else echo '[]'; fi`,
        '',
      ].join('\n'),
    );
    const tool = join(bin, 'micromamba');
    writeFileSync(
      tool,
      [
        '#!/bin/sh',
        'case "$1" in',
        '  --version) echo 2.0.5;;',
        `  create) mkdir -p "$4/bin" && cp '${stub}' "$4/bin/python" && echo "$*" > "$4/created-with";;`,
        `  list) echo '[{"name": "gdal", "version": "3.9.2", "channel": "conda-forge"}, {"name": "requests", "version": "2.32.3", "channel": "pypi"}]';;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(stub, 0o755);
    chmodSync(tool, 0o755);
    const native = createNativeEnvironments({ cacheDir: join(root, 'cache-h'), condaTools: [tool] });
    const env = await native.prepare({ baseImage: 'debian:bookworm-slim', apt: [], pip: [], conda: ['gdal'] }, () => undefined);
    expect(env.resolved).toMatchObject({ fidelity: 'native-complete', interpreter: 'CPython 3.12.7', skipped: [] });
    expect(env.resolved.packages).toEqual([{ manager: 'conda', name: 'gdal', version: '3.9.2' }]);
    const prefix = env.native?.env.CONDA_PREFIX ?? '';
    expect(readFileSync(join(prefix, 'created-with'), 'utf8')).toBe(`create -y -p ${prefix} -c conda-forge gdal\n`);
    expect(env.native?.path).toEqual([join(prefix, 'bin')]);
  });

  it('refuses a lock list entry that is not a package name and version, before any installer runs', async () => {
    const installed: string[] = [];
    const native = createNativeEnvironments({ cacheDir: join(root, 'cache-i'), condaTools: ['benchtop-no-such-micromamba'] });
    const lock = { fidelity: 'native-complete' as const, packages: [{ manager: 'pip' as const, name: '--index-url=http://203.0.113.9/simple', version: '1' }], skipped: [], summary: '' };
    await expect(native.prepare(spec, (line) => installed.push(line), { lock })).rejects.toThrow(/lock list has an entry that is not a package name and version \(pip "--index-url=/);
    expect(installed.filter((l) => /pip install|creating/.test(l))).toEqual([]);
  });

  it('says to install python3-venv when the interpreter cannot make virtual environments', async () => {
    // A python3 as Debian ships it without python3-venv or pip: venv --without-pip works, but
    // there is no pip to install with and ensurepip is disabled.
    const fake = join(root, 'debian-python3');
    writeFileSync(
      fake,
      `#!/bin/sh
case "$1 $2" in
  "-c "*) echo '{"implementation": "CPython", "version": "3.11.2", "executable": "${fake}", "basePrefix": "/usr"}';;
  "-m venv") mkdir -p "$4/bin" && cp "$0" "$4/bin/python";;
  "-m pip") echo "/usr/bin/python3: No module named pip" >&2; exit 1;;
  "-m ensurepip") echo "ensurepip is disabled in Debian/Ubuntu for the system python." >&2; exit 1;;
esac
`,
    );
    chmodSync(fake, 0o755);
    const native = environments('cache-g', { python: fake });
    await expect(native.prepare({ ...spec, baseImage: 'debian:bookworm-slim' }, () => undefined)).rejects.toThrow(/cannot make virtual environments.*sudo apt install python3-venv/);
  });
});
