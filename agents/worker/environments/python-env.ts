import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LockedPackage } from '../../../common/protocol/runs.js';
import { runCommand } from '../runtimes/run-command.js';

/** Where pip looks for packages: a lab's index or proxy, local wheel folders, or no index at all (offline). */
export interface PipSources {
  indexUrl?: string;
  findLinks?: readonly string[];
  /** Only the wheel folders: nothing is fetched from any index. */
  noIndex?: boolean;
}

export interface Interpreter {
  /** The real executable (not a pyenv shim), which a virtual environment is made from. */
  executable: string;
  /** sys.base_prefix: its standard library, which a confined run must be able to read. */
  basePrefix: string;
  /** e.g. "CPython 3.11.7". */
  name: string;
  /** e.g. "3.11.7". */
  version: string;
}

const probeAnswer = z.object({ implementation: z.string(), version: z.string(), executable: z.string().min(1), basePrefix: z.string().min(1) });
const PROBE = 'import json, platform, sys; print(json.dumps({"implementation": platform.python_implementation(), "version": platform.python_version(), "executable": sys.executable, "basePrefix": sys.base_prefix}))';

/** The interpreter `command` starts, or null when there is none (or it is not Python 3). */
export async function probeInterpreter(command: string): Promise<Interpreter | null> {
  const answer = await runCommand(command, ['-c', PROBE], { timeoutMs: 30_000 }).catch(() => null);
  if (!answer || answer.code !== 0) return null;
  try {
    const found = probeAnswer.parse(JSON.parse(answer.stdout.trim().split('\n').at(-1) ?? ''));
    if (!found.version.startsWith('3.')) return null;
    return { executable: found.executable, basePrefix: found.basePrefix, name: `${found.implementation} ${found.version}`, version: found.version };
  } catch {
    return null;
  }
}

/** "3.12" for python:3.12-slim, python:3.12.4 or library/python:3.12; null for images that do not name a Python. */
export function pythonVersionOfImage(baseImage: string): string | null {
  const match = /(?:^|\/)python:(\d+\.\d+)/.exec(baseImage);
  return match ? match[1]! : null;
}

/** Where a virtual environment keeps its programs: bin/, or Scripts on Windows. */
export const venvBin = (venv: string) => join(venv, process.platform === 'win32' ? 'Scripts' : 'bin');
export const venvPython = (venv: string) => join(venvBin(venv), process.platform === 'win32' ? 'python.exe' : 'python');

/** The last lines an installer printed, for the run's error: what it said went wrong. */
function tail(text: string, lines = 12): string {
  const kept = text.trim().split('\n').filter((l) => l.trim() !== '');
  const errors = kept.filter((l) => /error|not found|no matching|could not/i.test(l));
  return (errors.length > 0 ? errors : kept).slice(-lines).join('\n');
}

/** How pip is started for one environment: its argv up to the pip command. */
export interface PipRunner {
  file: string;
  args: readonly string[];
}

/** pip's own `--python` (pip 22.3 and later) installs into another environment without a pip of its own there. */
async function hostPipFor(interpreter: Interpreter, python: string): Promise<PipRunner | null> {
  const answer = await runCommand(interpreter.executable, ['-m', 'pip', '--version'], { timeoutMs: 60_000 }).catch(() => null);
  const version = /^pip (\d+)\.(\d+)/.exec(answer?.stdout ?? '');
  if (answer?.code !== 0 || !version) return null;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major > 22 || (major === 22 && minor >= 3) ? { file: interpreter.executable, args: ['-m', 'pip', '--python', python] } : null;
}

function venvRefusal(interpreter: Interpreter, said: string): Error {
  return new Error(
    /ensurepip|No module named venv/i.test(said)
      ? `${interpreter.name} at ${interpreter.executable} cannot make virtual environments (${said.split('\n')[0]}). On Debian or Ubuntu install python3-venv (sudo apt install python3-venv), or install Docker so the sandbox builds the capsule's image.`
      : `creating the virtual environment failed: ${said}`,
  );
}

/**
 * A virtual environment from `interpreter`, and the pip that installs into it. Made without a pip
 * of its own when the interpreter's pip can install into it (`pip --python`): seeding one with
 * ensurepip takes seconds per environment, and Debian's Python has no ensurepip without
 * python3-venv. Says what to install when neither works.
 */
export async function createVenv(interpreter: Interpreter, venv: string, log: (line: string) => void): Promise<PipRunner> {
  log(`creating a Python virtual environment with ${interpreter.name} (${interpreter.executable})`);
  const made = await runCommand(interpreter.executable, ['-m', 'venv', '--without-pip', venv], { onLine: log });
  if (made.code !== 0 || !existsSync(venvPython(venv))) throw venvRefusal(interpreter, tail(`${made.stdout}\n${made.stderr}`) || `python -m venv exited ${made.code}`);
  const hostPip = await hostPipFor(interpreter, venvPython(venv));
  if (hostPip) return hostPip;
  const seeded = await runCommand(venvPython(venv), ['-m', 'ensurepip', '--default-pip'], { onLine: log });
  if (seeded.code !== 0) throw venvRefusal(interpreter, tail(`${seeded.stdout}\n${seeded.stderr}`) || `python -m ensurepip exited ${seeded.code}`);
  return { file: venvPython(venv), args: ['-m', 'pip'] };
}

function sourceArgs(sources: PipSources): string[] {
  const args: string[] = [];
  if (sources.noIndex) args.push('--no-index');
  else if (sources.indexUrl) args.push('--index-url', sources.indexUrl);
  for (const folder of sources.findLinks ?? []) args.push('--find-links', folder);
  return args;
}

/**
 * pip install into the environment, its output in the run's log. With `exact` (a lock list) no
 * dependency is resolved again: the list is already the whole closure.
 */
export async function pipInstall(pip: PipRunner, requirements: readonly string[], sources: PipSources, exact: boolean, log: (line: string) => void): Promise<void> {
  if (requirements.length === 0) return;
  log(`pip install ${requirements.join(' ')}`);
  const args = [...pip.args, 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', ...sourceArgs(sources), ...(exact ? ['--no-deps'] : []), '--', ...requirements];
  const installed = await runCommand(pip.file, args, { onLine: log, timeoutMs: 3_600_000 });
  if (installed.code !== 0) throw new Error(`installing the pip packages failed (pip exited ${installed.code}): ${tail(installed.stderr || installed.stdout)}`);
}

const pipList = z.array(z.object({ name: z.string().min(1), version: z.string().min(1) }));

/** Every package in the environment with its exact version, sorted by name: the lock list. */
export async function pipLock(pip: PipRunner): Promise<LockedPackage[]> {
  const listed = await runCommand(pip.file, [...pip.args, 'list', '--format=json', '--disable-pip-version-check'], { timeoutMs: 120_000 });
  if (listed.code !== 0) throw new Error(`listing the installed packages failed (pip list exited ${listed.code}): ${tail(listed.stderr)}`);
  return pipList
    .parse(JSON.parse(listed.stdout))
    .map((p) => ({ manager: 'pip' as const, name: p.name, version: p.version }))
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}
