import type { Stack } from '@aws-sdk/client-cloudformation';
import { STACK_VERSION_OUTPUT } from '../../common/deploy/platform-parameters.js';

export interface VersionInfo {
  deployed?: string;
  available: string;
  updateAvailable: boolean;
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

/** The app's STACK_VERSION against the stack's version output: "update available" when newer. */
export function versionInfo(stack: Stack | undefined, appStackVersion: string): VersionInfo {
  const deployed = deployedVersion(stack);
  return {
    ...(deployed ? { deployed } : {}),
    available: appStackVersion,
    updateAvailable: stack !== undefined && (deployed === undefined || compareVersions(appStackVersion, deployed) > 0),
  };
}
