import type { Stack } from '@aws-sdk/client-cloudformation';
import { STACK_VERSION_OUTPUT } from '../../common/deploy/platform-parameters.js';
import { DeployError } from './deploy-error.js';

/** The versions that must agree: what this app installs, what the stack says it is, what its agents run. */
export interface VersionCheck {
  /** The stack version this app carries (its templates and agent bundle). */
  app: string;
  /** The stack's StackVersion output. */
  stack?: string | undefined;
  /** The services agent's own version (GET /api/v1/health), when the platform answers. */
  services?: string | undefined;
  /** The workers online, counted by the version they announce. */
  workers?: { version: string; count: number }[];
}

export interface VersionAdvice {
  /** What to upgrade to make the versions agree. */
  upgrade: 'app' | 'stack' | 'agents';
  message: string;
}

export interface VersionInfo {
  deployed?: string;
  available: string;
  updateAvailable: boolean;
  /** The stack is newer than this app: its plans are refused. */
  downgrade: boolean;
  services?: string;
  workers: { version: string; count: number }[];
  advice: VersionAdvice[];
}

function parts(v: string): number[] {
  return v.replace(/^v/, '').split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : 0));
}

/** Positive when `a` is newer than `b`, comparing dotted numbers ("1.10.0" > "1.9.3"). */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function deployedVersion(stack: Stack | undefined): string | undefined {
  return stack?.Outputs?.find((o) => o.OutputKey === STACK_VERSION_OUTPUT)?.OutputValue;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * Which part is behind, in words: the app (the stack is newer: never downgrade it), the stack (the
 * app carries a newer one), or the agents (they run another version than the stack installed: the
 * instance has not been replaced, or an old worker is still online). Pure.
 */
export function versionAdvice(v: VersionCheck): VersionAdvice[] {
  const out: VersionAdvice[] = [];
  const { app, stack } = v;
  if (stack && compareVersions(stack, app) > 0) {
    out.push({ upgrade: 'app', message: `The stack runs version ${stack}, newer than this app's ${app}: upgrade Benchtop to ${stack} or newer. This app will not plan a change to the stack, which would downgrade it.` });
  } else if (!stack || compareVersions(app, stack) > 0) {
    out.push({ upgrade: 'stack', message: `This app installs version ${app}; the stack runs ${stack ?? 'an unknown version'}: plan the update to bring the stack and its agents to ${app}.` });
  }
  const expected = stack ?? app;
  if (v.services && compareVersions(v.services, expected) !== 0) {
    out.push({
      upgrade: compareVersions(v.services, expected) < 0 ? 'agents' : 'stack',
      message:
        compareVersions(v.services, expected) < 0
          ? `The services agent runs ${v.services}, but the stack installed ${expected}: the services instance still runs the old bundle. Plan the update again, or replace the services instance (its group starts a new one from the stack's bundle).`
          : `The services agent runs ${v.services}, newer than the stack's ${expected}: the stack's version output is behind its agents; plan the update with an app of version ${v.services}.`,
    });
  }
  for (const w of v.workers ?? []) {
    if (compareVersions(w.version, expected) === 0) continue;
    out.push({
      upgrade: 'agents',
      message: `${plural(w.count, 'worker')} online ${w.count === 1 ? 'runs' : 'run'} ${w.version}, the stack ${expected}: the worker groups' instance refresh replaces them, and idle workers leave on their own.`,
    });
  }
  return out;
}

// A stack in these states was never installed (or is going): it has no version to upgrade.
const NOT_INSTALLED = /^(CREATE_IN_PROGRESS|CREATE_FAILED|ROLLBACK_|REVIEW_|DELETE_)/;

/** The app's stack version against the stack's version output and what the agents report. */
export function versionInfo(found: Stack | undefined, appStackVersion: string, agents: Pick<VersionCheck, 'services' | 'workers'> = {}): VersionInfo {
  const stack = found && !NOT_INSTALLED.test(found.StackStatus ?? '') ? found : undefined;
  const deployed = deployedVersion(stack);
  const downgrade = deployed !== undefined && compareVersions(deployed, appStackVersion) > 0;
  return {
    ...(deployed ? { deployed } : {}),
    available: appStackVersion,
    updateAvailable: stack !== undefined && (deployed === undefined || compareVersions(appStackVersion, deployed) > 0),
    downgrade,
    ...(agents.services ? { services: agents.services } : {}),
    workers: agents.workers ?? [],
    advice: stack ? versionAdvice({ app: appStackVersion, stack: deployed, ...agents }) : [],
  };
}

/** Plans against a stack newer than this app are refused: its templates and agents would go back. */
export function refuseDowngrade(stackName: string, stack: Stack | undefined, appStackVersion: string): void {
  const deployed = deployedVersion(stack);
  if (deployed && compareVersions(deployed, appStackVersion) > 0) {
    throw new DeployError(
      `${stackName} runs stack version ${deployed}, newer than the ${appStackVersion} this app installs: a plan from this app would downgrade the stack and its agents, whose data (the services database) may already be in a newer format.`,
      `Upgrade Benchtop to ${deployed} or newer, then plan again.`,
      stack?.StackStatus,
    );
  }
}
