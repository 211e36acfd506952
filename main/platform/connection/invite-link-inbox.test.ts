import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppRouter } from '../../app-router.js';
import { createPlainFileSecretStore } from '../../settings/secret-store.js';
import { SettingsStore } from '../../settings/settings-store.js';
import { InviteLinkInbox, inviteLinkIn } from './invite-link-inbox.js';

const link = 'benchtop://connect?platform=lab&url=https%3A%2F%2Fbench.example.org&token=abcdefgh&user=ana';

describe('invite links opened by the operating system', () => {
  it('finds the link among the arguments a click starts the app with', () => {
    expect(inviteLinkIn(['/opt/Benchtop/benchtop', '--no-sandbox', link])).toBe(link);
    expect(inviteLinkIn(['/opt/Benchtop/benchtop', 'https://example.org'])).toBeUndefined();
  });

  it('keeps a link that arrives before the page listens and hands it over once', () => {
    const inbox = new InviteLinkInbox();
    inbox.deliver(link);
    const first: string[] = [];
    const stop = inbox.listen((l) => first.push(l));
    expect(first).toEqual([link]);
    stop();
    const second: string[] = [];
    inbox.listen((l) => second.push(l));
    expect(second).toEqual([]);
  });

  it('passes later links straight to the listener and ignores anything that is not an invite', () => {
    const inbox = new InviteLinkInbox();
    const seen: string[] = [];
    inbox.listen((l) => seen.push(l));
    inbox.deliver('benchtop://elsewhere');
    inbox.deliver(link);
    expect(seen).toEqual([link]);
  });

  it('holds only a few links while nobody listens', () => {
    const inbox = new InviteLinkInbox();
    for (let i = 0; i < 20; i++) inbox.deliver(`${link}&n=${i}`);
    const seen: string[] = [];
    inbox.listen((l) => seen.push(l));
    expect(seen).toHaveLength(5);
  });
});

describe('invites:opened through the app router', () => {
  it('streams the links the desktop was opened with to the page', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'benchtop-invites-'));
    try {
      const inviteLinks = new InviteLinkInbox();
      inviteLinks.deliver(link);
      const router = createAppRouter({ shell: 'desktop', version: '0.0.0', dataDir: dir, settings: new SettingsStore(dir), secrets: createPlainFileSecretStore(dir, () => undefined), env: {}, inviteLinks });
      const seen: unknown[] = [];
      const sub = router.subscribe('invites:opened', {}, (p) => seen.push(p));
      expect(sub.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 0));
      expect(seen).toEqual([{ link }]);
      if (sub.ok) sub.unsubscribe();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
