import { describe, expect, it } from 'vitest';
import { inviteFile, inviteLink, parseInvite, type Invite } from './invite.js';

const value: Invite = { benchtop: 'invite', version: 1, platform: 'Lab & Co', url: 'https://platform.example.org', token: 'bt_abc/+=def', user: 'Ada Lovelace' };

describe('invites', () => {
  it('reads back a link and a file, whatever characters they hold', () => {
    expect(parseInvite(inviteLink(value))).toEqual({ ok: true, invite: value });
    expect(parseInvite(`  ${inviteFile(value).content}\n`)).toEqual({ ok: true, invite: value });
    expect(inviteFile(value).name).toBe('benchtop-invite-ada-lovelace.json');
  });

  it('says what is wrong with something that is not an invite', () => {
    expect(parseInvite('https://example.org')).toMatchObject({ ok: false, message: expect.stringContaining('benchtop://connect?') });
    expect(parseInvite('{not json')).toMatchObject({ ok: false, message: expect.stringContaining('not valid JSON') });
    expect(parseInvite('benchtop://connect?platform=p&url=http%3A%2F%2Fexample.org&token=abcdefgh&user=u')).toMatchObject({ ok: false, message: expect.stringContaining('url') });
    expect(parseInvite('benchtop://connect?platform=p&url=https%3A%2F%2Fx.org&token=%E0%A4%A&user=u')).toMatchObject({ ok: false, message: expect.stringContaining('"token"') });
    expect(parseInvite(JSON.stringify({ ...value, token: 'short' }))).toMatchObject({ ok: false, message: expect.stringContaining('token') });
  });
});
