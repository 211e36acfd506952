import { describe, expect, it } from 'vitest';
import { bubblewrapArgs } from './bubblewrap.js';

const mounts = { code: '/w/runs/r/code', data: '/w/runs/r/data', results: '/w/runs/r/results', scratch: '/w/runs/r/tmp' };
const support = { userns: true };

/** The [flag, ...operands] groups of an argv, for checks that do not depend on the order of binds. */
function pairs(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('bubblewrapArgs', () => {
  it('binds an allow-list of host paths, never the home folder or other top-level folders', () => {
    const args = bubblewrapArgs({ mounts, network: false, home: '/home/ada', hide: [], expose: [], support }, ['true']);
    const bound = [...pairs(args, '--ro-bind'), ...pairs(args, '--ro-bind-try'), ...pairs(args, '--bind')];
    for (const path of bound) expect(path).toMatch(/^(\/usr|\/bin|\/sbin|\/lib\w*|\/etc\/[\w.-]+|\/w\/runs\/r\/\w+)$/);
    expect(pairs(args, '--ro-bind-try')).not.toContain('/etc/resolv.conf');
    expect(pairs(args, '--tmpfs')).toEqual(['/', '/run', '/var/run', '/home/ada']);
  });

  it('hides the given folders but never covers a system path, the root or the run\'s /tmp', () => {
    const args = bubblewrapArgs({ mounts, network: true, home: '/', hide: ['/srv/benchtop', '/usr', '/tmp/x', 'relative', '/usr/local/app-data'], expose: [], support }, ['true']);
    expect(pairs(args, '--tmpfs')).toEqual(['/', '/run', '/var/run', '/srv/benchtop', '/usr/local/app-data']);
    expect(pairs(args, '--ro-bind-try')).toContain('/etc/resolv.conf');
  });

  it('binds the exposed folders read-only over the empty home', () => {
    const args = bubblewrapArgs({ mounts, network: false, home: '/home/ada', hide: [], expose: ['/home/ada/miniconda3'], support }, ['true']);
    const tmpfsHome = args.findIndex((a, i) => a === '/home/ada' && args[i - 1] === '--tmpfs');
    const exposed = args.findIndex((a, i) => a === '/home/ada/miniconda3' && args[i - 1] === '--ro-bind-try');
    expect(exposed).toBeGreaterThan(tmpfsHome);
    expect(args[exposed + 1]).toBe('/home/ada/miniconda3');
  });

  it('unshares every namespace, the network unless asked, drops capabilities and dies with the worker', () => {
    const offline = bubblewrapArgs({ mounts, network: false, home: undefined, hide: [], expose: [], support }, ['sh', '-c', 'x']);
    const tail = offline.slice(offline.indexOf('--unshare-all'));
    expect(tail).toEqual(['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--', 'sh', '-c', 'x']);
    const online = bubblewrapArgs({ mounts, network: true, home: undefined, hide: [], expose: [], support: { userns: false } }, ['true']);
    expect(online.slice(online.indexOf('--unshare-all'))).toEqual(['--unshare-all', '--share-net', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--', 'true']);
  });
});
