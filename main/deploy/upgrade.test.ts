import { describe, expect, it } from 'vitest';
import { stack } from './testing/cfn-fixtures.js';
import { compareVersions, versionInfo } from './upgrade.js';

describe('upgrade detection', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('0.10.0', '0.9.3')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('v1.2', '1.2.1')).toBeLessThan(0);
  });

  it('offers an update when the app is newer than the stack output', () => {
    const old = stack('lab-prod', 'UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'StackVersion', OutputValue: '0.0.9' }] });
    expect(versionInfo(old, '0.1.0')).toEqual({ deployed: '0.0.9', available: '0.1.0', updateAvailable: true });
    const same = stack('lab-prod', 'UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'StackVersion', OutputValue: '0.1.0' }] });
    expect(versionInfo(same, '0.1.0').updateAvailable).toBe(false);
  });

  it('offers an update to a stack without a version output, and none when there is no stack', () => {
    expect(versionInfo(stack('lab-prod', 'CREATE_COMPLETE'), '0.1.0').updateAvailable).toBe(true);
    expect(versionInfo(undefined, '0.1.0')).toEqual({ available: '0.1.0', updateAvailable: false });
  });
});
