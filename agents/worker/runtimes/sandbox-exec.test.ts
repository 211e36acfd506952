import { describe, expect, it } from 'vitest';
import { probeSandboxExec, sandboxExecArgs, seatbeltProfile } from './sandbox-exec.js';

// sandbox-exec exists on macOS only: these pin the profile it is given, not what macOS does with it.
const mounts = { code: '/w/runs/r/code', data: '/w/runs/r/data', results: '/w/runs/r/results', scratch: '/w/runs/r/tmp' };

describe('sandbox-exec (macOS)', () => {
  it('is used on macOS only', () => {
    expect(probeSandboxExec('linux')).toBe(false);
    expect(probeSandboxExec('win32')).toBe(false);
  });

  it('denies the home folder and the hidden folders, then allows the run its own folders, later rules winning', () => {
    const profile = seatbeltProfile({ mounts, network: false, home: '/Users/ada', hide: ['/Users/ada/Library/Application Support/benchtop'], expose: ['/Users/ada/miniconda3'] });
    const lines = profile.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '(version 1)',
      '(allow default)',
      '(deny file-read* file-write* (subpath "/Users/ada") (subpath "/Users/ada/Library/Application Support/benchtop"))',
    ]);
    const deniedAt = lines.findIndex((l) => l.startsWith('(deny file-read*'));
    expect(lines.findIndex((l) => l === '(allow file-read* (subpath "/w/runs/r/code") (subpath "/w/runs/r/data") (subpath "/Users/ada/miniconda3"))')).toBeGreaterThan(deniedAt);
    expect(lines.indexOf('(deny file-write* (subpath "/"))')).toBeLessThan(lines.findIndex((l) => l.includes('(subpath "/w/runs/r/results")')));
    expect(lines).toContain('(deny network-outbound (remote unix-socket))');
    expect(lines.at(-1)).toBe('(deny network*)');
  });

  it('leaves the network to a run that asked for it, and quotes paths', () => {
    const profile = seatbeltProfile({ mounts, network: true, home: undefined, hide: ['/tmp/a "quoted" \\ path'], expose: [] });
    expect(profile).not.toContain('(deny network*)');
    expect(profile).toContain('(subpath "/tmp/a \\"quoted\\" \\\\ path")');
    expect(sandboxExecArgs({ mounts, network: true, home: undefined, hide: [], expose: [] }, ['/bin/sh', '-c', 'x'])).toEqual(['-p', seatbeltProfile({ mounts, network: true, home: undefined, hide: [], expose: [] }), '/bin/sh', '-c', 'x']);
  });
});
