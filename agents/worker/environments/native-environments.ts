import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { EnvironmentSpec } from '../../../common/protocol/capsules.js';
import type { LockedPackage, ResolvedEnvironment } from '../../../common/protocol/runs.js';
import { canonicalEnvironment, environmentHash } from '../environment-hash.js';
import type { PreparedEnvironment, PrepareOptions } from '../runtimes/runtime.js';
import { condaLock, createCondaEnv, findCondaTool } from './conda-env.js';
import { EnvironmentCache } from './environment-cache.js';
import { createVenv, pipInstall, pipLock, probeInterpreter, pythonVersionOfImage, venvBin, venvPython, type Interpreter, type PipRunner, type PipSources } from './python-env.js';

export interface NativeEnvironmentsOptions {
  /** One folder per environment (`<work>/cache/environments`). */
  cacheDir: string;
  /** Least recently used environments are deleted while the cache holds more than this (default 10 GiB). */
  maxBytes?: number;
  /** The Python used when the base image names no version this machine has (default python3). */
  python?: string;
  pip?: PipSources;
  /** Conda front ends looked for, in order (default micromamba, mamba, conda). */
  condaTools?: readonly string[];
}

export const DEFAULT_ENVIRONMENT_CACHE_BYTES = 10 * 1024 ** 3;
// Bumped whenever a build makes a different environment from the same inputs.
const NATIVE_FORMAT = 'benchtop-native/1';

/** What a build leaves in the cache entry's marker: enough to run in it and to record it. */
interface BuiltEnvironment {
  interpreter: string;
  packages: LockedPackage[];
  /** The prefix whose bin/ holds its programs (a venv, or a conda prefix). */
  prefix: string;
}

// A lock list comes back from the services agent, as some worker reported it: each entry becomes an
// argument to pip or conda, so one that is not a plain name and version (e.g. "--channel=…") is refused.
const LOCKED_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;
const LOCKED_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+!-]*$/;

function checkLock(lock: ResolvedEnvironment): void {
  const bad = lock.packages.find((p) => !LOCKED_NAME.test(p.name) || !LOCKED_VERSION.test(p.version));
  if (bad) {
    throw new Error(
      `the original run's lock list has an entry that is not a package name and version (${bad.manager} ${JSON.stringify(bad.name)} ${JSON.stringify(bad.version)}), so it is not installed. Launch the capsule again instead of rerunning, to install from its environment spec.`,
    );
  }
}

const pinned = (packages: readonly LockedPackage[], manager: LockedPackage['manager']) => packages.filter((p) => p.manager === manager).map((p) => `${p.name}==${p.version}`);

function refusal(skipped: readonly string[]): string {
  return (
    `this capsule's environment asks for ${skipped.join(', ')}, which the local sandbox cannot install without a container engine. ` +
    'Launch the run again allowing a partial environment to go on without them (the run is marked "partial environment"), ' +
    'or install Docker or Podman so that the sandbox builds the capsule\'s image.'
  );
}

/**
 * The capsule's environment made on this machine without a container: a Python virtual
 * environment (or a conda prefix, with micromamba, mamba or conda) per environment, built once and
 * cached. apt packages cannot be installed this way: the run is refused, or goes on marked partial
 * when it allows that. Every build records the exact versions it installed, and a rerun given that
 * lock installs exactly those again, whatever the index offers now.
 */
export function createNativeEnvironments(options: NativeEnvironmentsOptions) {
  const cache = new EnvironmentCache<BuiltEnvironment>(options.cacheDir, options.maxBytes ?? DEFAULT_ENVIRONMENT_CACHE_BYTES);
  const python = options.python ?? 'python3';
  const sources = options.pip ?? {};
  const probes = new Map<string, Promise<Interpreter | null>>();
  const probe = (command: string) => {
    let found = probes.get(command);
    if (!found) probes.set(command, (found = probeInterpreter(command)));
    return found;
  };
  let condaTool: Promise<string | null> | null = null;

  /** The base image's Python if this machine has that version, else the default one. */
  async function interpreterFor(spec: EnvironmentSpec): Promise<{ interpreter: Interpreter | null; note: string | null }> {
    const wanted = pythonVersionOfImage(spec.baseImage);
    if (wanted) {
      const exact = await probe(`python${wanted}`);
      if (exact?.version.startsWith(`${wanted}.`)) return { interpreter: exact, note: null };
    }
    const fallback = await probe(python);
    const note = wanted && fallback && !fallback.version.startsWith(`${wanted}.`) ? `the base image has Python ${wanted}; this machine has ${fallback.name}` : null;
    return { interpreter: fallback, note };
  }

  async function build(folder: string, spec: EnvironmentSpec, interpreter: Interpreter, conda: string | null, lock: readonly LockedPackage[] | null, log: (line: string) => void): Promise<BuiltEnvironment> {
    let prefix: string;
    let pip: PipRunner;
    if (conda) {
      prefix = join(folder, 'conda');
      const wanted = lock ? pinned(lock, 'conda') : [...spec.conda, ...(spec.pip.length > 0 ? ['python', 'pip'] : [])];
      await createCondaEnv(conda, prefix, wanted, log);
      pip = { file: venvPython(prefix), args: ['-m', 'pip'] };
    } else {
      prefix = join(folder, 'venv');
      pip = await createVenv(interpreter, prefix, log);
    }
    // A conda environment without pip packages may have no Python at all: pip is not asked there.
    const usesPip = !conda || (lock ? pinned(lock, 'pip').length > 0 : spec.pip.length > 0);
    if (usesPip && lock) {
      // What the fresh environment came with (pip itself, setuptools) is not installed again.
      const seeded = new Set((await pipLock(pip)).map((p) => p.name.toLowerCase()));
      await pipInstall(pip, pinned(lock, 'pip').filter((p) => !seeded.has(p.slice(0, p.indexOf('==')).toLowerCase())), sources, true, log);
    } else if (usesPip) {
      await pipInstall(pip, spec.pip, sources, false, log);
    }
    const packages = [...(conda ? await condaLock(conda, prefix) : []), ...(usesPip ? await pipLock(pip) : [])];
    const inside = await probeInterpreter(venvPython(prefix));
    return { interpreter: inside?.name ?? interpreter.name, packages, prefix };
  }

  async function prepare(raw: EnvironmentSpec, log: (line: string) => void, prep: PrepareOptions = {}): Promise<PreparedEnvironment> {
    const spec = canonicalEnvironment(raw);
    const hash = environmentHash(raw);
    const lock = prep.lock && prep.lock.fidelity !== 'container' && prep.lock.fidelity !== 'host' ? prep.lock : null;
    if (lock) checkLock(lock);
    if (prep.lock && !lock) log(`the original run had a ${prep.lock.fidelity} environment, with no lock list to install again here: installing the spec`);
    const skipped = spec.apt.map((p) => `apt package ${p}`);
    if (spec.conda.length > 0) {
      condaTool ??= findCondaTool(options.condaTools);
      if (!(await condaTool)) skipped.push(...spec.conda.map((p) => `conda package ${p} (no micromamba, mamba or conda on this machine)`));
    }
    if (skipped.length > 0 && !prep.partial) throw new Error(refusal(skipped));
    if (skipped.length > 0) log(`partial environment, as the run allows: not installed: ${skipped.join(', ')}`);
    const conda = spec.conda.length > 0 ? await condaTool : null;
    const fidelity = skipped.length > 0 ? 'native-partial' : 'native-complete';
    const partialNote = skipped.length > 0 ? `; not installed: ${skipped.join(', ')}` : '';
    const { interpreter, note } = await interpreterFor(spec);
    const notes = [note, lock?.interpreter && interpreter && lock.interpreter !== interpreter.name ? `the original run had ${lock.interpreter}` : null].filter((n) => n !== null);
    const noteText = notes.length > 0 ? ` (${notes.join('; ')})` : '';

    const installs = spec.pip.length > 0 || conda !== null || (lock?.packages.length ?? 0) > 0;
    if (!installs) {
      const resolved: ResolvedEnvironment = {
        fidelity,
        ...(interpreter && pythonVersionOfImage(spec.baseImage) ? { interpreter: interpreter.name } : {}),
        packages: [],
        skipped,
        summary: `native: nothing to install, the machine's own programs${noteText}${partialNote}`,
      };
      return { spec, hash, resolved };
    }
    if (!interpreter && !conda) {
      throw new Error(`this capsule's environment needs Python packages (${spec.pip.join(', ')}), but "${python}" does not start a Python 3 on this machine. Install Python 3 with venv (on Debian or Ubuntu: sudo apt install python3-venv), or Docker, or point the worker at one with --python.`);
    }
    const key = createHash('sha256')
      .update(JSON.stringify({ format: NATIVE_FORMAT, hash, interpreter: interpreter?.executable ?? null, conda, lock: lock?.packages ?? null }))
      .digest('hex');
    log(`preparing native environment ${key.slice(0, 12)} in ${cache.folder(key)}${lock ? ` from the original run's lock list (${lock.packages.length} packages)` : ''}`);
    const entry = await cache.acquire(key, (folder) => build(folder, spec, interpreter as Interpreter, conda, lock?.packages ?? null, log));
    const built = entry.value;
    const count = `${built.packages.length} package${built.packages.length === 1 ? '' : 's'}`;
    log(`${entry.reused ? 'reusing' : 'built'} native environment ${key.slice(0, 12)}: ${built.interpreter}, ${count}`);
    const resolved: ResolvedEnvironment = {
      fidelity,
      interpreter: built.interpreter,
      packages: built.packages,
      skipped,
      summary: `native: ${built.interpreter} in its own ${conda ? 'conda environment' : 'virtual environment'} with ${count} at exact versions${noteText}${partialNote}`,
    };
    return {
      spec,
      hash,
      resolved,
      native: {
        path: [venvBin(built.prefix)],
        env: { [conda ? 'CONDA_PREFIX' : 'VIRTUAL_ENV']: built.prefix, PYTHONNOUSERSITE: '1' },
        readOnly: [cache.folder(key), ...(interpreter ? [interpreter.basePrefix] : [])],
      },
      release: entry.release,
    };
  }

  return { prepare, evict: () => cache.evict(), dir: options.cacheDir };
}

export type NativeEnvironments = ReturnType<typeof createNativeEnvironments>;
