import { z } from 'zod';
import type { LockedPackage } from '../../../common/protocol/runs.js';
import { runCommand } from '../runtimes/run-command.js';

/** The first of micromamba, mamba, conda that answers `--version` on this machine, or null. */
export async function findCondaTool(candidates: readonly string[] = ['micromamba', 'mamba', 'conda']): Promise<string | null> {
  for (const tool of candidates) {
    const answer = await runCommand(tool, ['--version'], { timeoutMs: 30_000 }).catch(() => null);
    if (answer?.code === 0) return tool;
  }
  return null;
}

/**
 * A conda environment at `prefix` with `packages` (from conda-forge, as the capsule's image gets
 * them), plus Python when pip packages are to go into it too. The three tools take the same
 * `create -y -p PREFIX -c CHANNEL PACKAGES` form.
 */
export async function createCondaEnv(tool: string, prefix: string, packages: readonly string[], log: (line: string) => void): Promise<void> {
  log(`${tool} create -p ${prefix} ${packages.join(' ')}`);
  const made = await runCommand(tool, ['create', '-y', '-p', prefix, '-c', 'conda-forge', ...packages], { onLine: log, timeoutMs: 3_600_000 });
  if (made.code !== 0) {
    const said = (made.stderr || made.stdout).trim().split('\n').slice(-12).join('\n');
    throw new Error(`installing the conda packages failed (${tool} create exited ${made.code}): ${said}`);
  }
}

const condaList = z.array(z.object({ name: z.string().min(1), version: z.string().min(1), channel: z.string().optional() }));

/** The conda packages at `prefix` with their exact versions (pip's own entries, channel "pypi", are left to pip's list). */
export async function condaLock(tool: string, prefix: string): Promise<LockedPackage[]> {
  const listed = await runCommand(tool, ['list', '-p', prefix, '--json'], { timeoutMs: 120_000 });
  if (listed.code !== 0) throw new Error(`listing the conda packages failed (${tool} list exited ${listed.code}): ${listed.stderr.trim()}`);
  return condaList
    .parse(JSON.parse(listed.stdout))
    .filter((p) => p.channel !== 'pypi')
    .map((p) => ({ manager: 'conda' as const, name: p.name, version: p.version }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
