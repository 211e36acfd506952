import { describe, expect, it } from 'vitest';
import { stack } from './testing/cfn-fixtures.js';
import { compareVersions, refuseDowngrade, versionAdvice, versionInfo } from './upgrade.js';

const at = (v: string) => stack('lab-prod', 'UPDATE_COMPLETE', { Outputs: [{ OutputKey: 'StackVersion', OutputValue: v }] });

describe('upgrade detection', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('0.10.0', '0.9.3')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('v1.2', '1.2.1')).toBeLessThan(0);
  });

  it('offers an update when the app is newer than the stack output', () => {
    expect(versionInfo(at('0.0.9'), '0.1.0')).toMatchObject({ deployed: '0.0.9', available: '0.1.0', updateAvailable: true, downgrade: false, advice: [{ upgrade: 'stack' }] });
    expect(versionInfo(at('0.1.0'), '0.1.0')).toMatchObject({ updateAvailable: false, advice: [] });
  });

  it('offers an update to a stack without a version output, and none when there is no stack', () => {
    expect(versionInfo(stack('lab-prod', 'CREATE_COMPLETE'), '0.1.0').updateAvailable).toBe(true);
    expect(versionInfo(undefined, '0.1.0')).toEqual({ available: '0.1.0', updateAvailable: false, downgrade: false, workers: [], advice: [] });
    // A failed first install has nothing to upgrade: it is deleted and installed again.
    expect(versionInfo(stack('lab-prod', 'ROLLBACK_COMPLETE'), '0.1.0')).toMatchObject({ updateAvailable: false, advice: [] });
  });
});

describe('version skew', () => {
  it('refuses a downgrade with the reason and which app to install', () => {
    expect(() => refuseDowngrade('lab-prod', at('0.2.0'), '0.1.0')).toThrow(/lab-prod runs stack version 0\.2\.0, newer than the 0\.1\.0 this app installs/);
    expect(() => refuseDowngrade('lab-prod', at('0.1.0'), '0.1.0')).not.toThrow();
    expect(() => refuseDowngrade('lab-prod', undefined, '0.1.0')).not.toThrow();
    const info = versionInfo(at('0.2.0'), '0.1.0');
    expect(info).toMatchObject({ downgrade: true, updateAvailable: false });
    expect(info.advice).toEqual([{ upgrade: 'app', message: expect.stringContaining('upgrade Benchtop to 0.2.0 or newer') }]);
  });

  it('says the agents are behind when the services agent or workers run another version than the stack', () => {
    const advice = versionAdvice({ app: '0.2.0', stack: '0.2.0', services: '0.1.0', workers: [{ version: '0.2.0', count: 3 }, { version: '0.1.0', count: 2 }] });
    expect(advice.map((a) => a.upgrade)).toEqual(['agents', 'agents']);
    expect(advice[0]!.message).toContain('The services agent runs 0.1.0, but the stack installed 0.2.0');
    expect(advice[1]!.message).toBe("2 workers online run 0.1.0, the stack 0.2.0: the worker groups' instance refresh replaces them, and idle workers leave on their own.");
    expect(versionAdvice({ app: '0.2.0', stack: '0.2.0', services: '0.2.0', workers: [{ version: '0.2.0', count: 1 }] })).toEqual([]);
  });

  it('names both the stack and the agents when everything is behind the app', () => {
    expect(versionAdvice({ app: '0.3.0', stack: '0.2.0', services: '0.1.0' }).map((a) => a.upgrade)).toEqual(['stack', 'agents']);
  });
});
