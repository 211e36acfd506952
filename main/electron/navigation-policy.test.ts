import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppFile } from './app-files.js';
import { decideNavigation, isAllowedExternalUrl } from './navigation-policy.js';
import { isTrustedSender } from './sender-validation.js';

describe('decideNavigation', () => {
  it('keeps the app on its own pages only', () => {
    expect(decideNavigation('app://benchtop/runs/42')).toBe('stay');
    expect(decideNavigation('app://evil/')).toBe('deny');
    expect(decideNavigation('file:///etc/passwd')).toBe('deny');
    expect(decideNavigation('http://127.0.0.1:8080/')).toBe('deny');
  });

  it('sends allow-listed https links to the browser and refuses the rest', () => {
    expect(decideNavigation('https://docs.aws.amazon.com/cli/latest/')).toBe('open-external');
    expect(decideNavigation('https://eu-west-1.console.aws.amazon.com/cloudformation')).toBe('open-external');
    expect(decideNavigation('https://lab.awsapps.com/start')).toBe('open-external');
    expect(decideNavigation('http://docs.aws.amazon.com/')).toBe('deny');
    expect(decideNavigation('https://docs.aws.amazon.com.evil.example/')).toBe('deny');
    expect(decideNavigation('https://evilgithub.com/')).toBe('deny');
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(decideNavigation('smb://server/share')).toBe('deny');
    expect(decideNavigation('not a url')).toBe('deny');
  });
});

describe('isTrustedSender', () => {
  it('trusts only the top frame of our own origin', () => {
    expect(isTrustedSender({ url: 'app://benchtop/setup', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: 'app://benchtop/setup', isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: undefined, isMainFrame: true })).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

describe('resolveAppFile', () => {
  const root = path.resolve('/opt/benchtop/renderer');
  it('maps files inside the renderer folder and routes to index.html', () => {
    expect(resolveAppFile(root, 'app://benchtop/assets/index-abc.js')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveAppFile(root, 'app://benchtop/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://benchtop/runs/42')).toBe(path.join(root, 'index.html'));
  });

  it('never leaves the renderer folder', () => {
    for (const url of ['app://benchtop/../../etc/passwd.txt', 'app://benchtop/%2e%2e/%2e%2e/etc/passwd.txt', 'app://benchtop/..%2F..%2Fetc%2Fpasswd.txt']) {
      const file = resolveAppFile(root, url);
      expect(file === undefined || file.startsWith(`${root}${path.sep}`)).toBe(true);
    }
  });
});
