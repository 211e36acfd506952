import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../common/api/errors.js';
import { inviteLink } from '../../../common/api/invite.js';
import { invitesOpened, inviteUser, listAudit, listUsers, listUserTokens, openInvite, reinviteUser, revokeUserAccess, revokeUserToken, setUserRole } from '../../../common/api/users.contract.js';
import type { TokenInfo, User } from '../../../common/protocol/users.js';
import { createResearcherBackend } from '../researcher/testing/fake-platform.js';
import { renderApp, resetWindow } from '../test/render-app.js';

beforeEach(() => resetWindow('#/users'));
afterEach(cleanup);

const T0 = '2026-11-23T10:00:00.000Z';
const user = (over: Partial<User>): User => ({ id: 'usr_00000000000000000001', name: 'Ada', role: 'researcher', createdAt: T0, lastSeenAt: null, ...over });

function usersBackend(options: { admin?: boolean } = {}) {
  const backend = createResearcherBackend();
  const users: User[] = [user({ id: 'usr_00000000000000000000', name: 'admin', role: 'admin', lastSeenAt: T0 }), user({})];
  const tokens: TokenInfo[] = [{ id: 'tok_00000000000000000001', userId: 'usr_00000000000000000001', label: 'laptop', createdAt: T0, revokedAt: null, lastUsedAt: T0 }];
  const forbid = () => {
    if (options.admin === false) throw new ApiError('forbidden', 'The platform Local sandbox does not allow this with your token: this route is for admin tokens.');
  };
  const issued = (u: User) => {
    const value = { benchtop: 'invite' as const, version: 1 as const, platform: 'Local sandbox', url: 'http://127.0.0.1:7300', token: 'bt_secret-token-value', user: u.name };
    return { user: u, tokenId: 'tok_00000000000000000009', token: value.token, link: inviteLink(value), file: { name: 'benchtop-invite-x.json', content: JSON.stringify(value) } };
  };
  backend.router
    .handle(listUsers, () => (forbid(), { items: users }))
    .handle(inviteUser, ({ name, role }) => {
      const u = user({ id: `usr_0000000000000000000${users.length + 1}`, name, role });
      users.push(u);
      return issued(u);
    })
    .handle(reinviteUser, ({ userId }) => issued(users.find((u) => u.id === userId)!))
    .handle(setUserRole, ({ userId, role }) => Object.assign(users.find((u) => u.id === userId)!, { role }))
    .handle(listUserTokens, ({ userId }) => ({ items: tokens.filter((t) => t.userId === userId) }))
    .handle(revokeUserToken, ({ tokenId }) => Object.assign(tokens.find((t) => t.id === tokenId)!, { revokedAt: T0 }))
    .handle(revokeUserAccess, ({ userId }) => ({ items: tokens.filter((t) => t.userId === userId).map((t) => Object.assign(t, { revokedAt: T0 })) }))
    .handle(listAudit, () => ({ items: [{ seq: 2, at: T0, actorId: 'usr_00000000000000000000', actorName: 'admin', action: 'user.role', targetKind: 'user', targetId: 'usr_00000000000000000001', summary: 'changed the role of "Ada" from researcher to pi', detail: {} }] }))
    .handle(openInvite, ({ text }) => {
      if (!text.startsWith('benchtop://')) throw new ApiError('bad-input', 'This is not a Benchtop invite: an invite is a link starting with "benchtop://connect?".');
      return { id: 'lab', name: 'Lab', url: 'https://lab.example.org', kind: 'remote' as const, hasToken: true, active: true };
    });
  return backend;
}

describe('Users page', () => {
  it('invites a user and shows the link, the file and the token once', async () => {
    const backend = usersBackend();
    const { user: u } = renderApp(backend);
    expect(await screen.findByRole('rowheader', { name: 'Ada' })).toBeTruthy();
    await u.type(screen.getByRole('textbox', { name: 'Name' }), 'Grace');
    await u.selectOptions(screen.getByRole('combobox', { name: 'Role' }), 'pi');
    await u.click(screen.getByRole('button', { name: 'Make invite' }));
    const card = await screen.findByRole('region', { name: 'Invite for Grace' });
    expect((within(card).getByRole('textbox', { name: 'Invite link' }) as HTMLInputElement).value).toMatch(/^benchtop:\/\/connect\?platform=Local%20sandbox/);
    expect((within(card).getByRole('textbox', { name: 'Token (for scripts)' }) as HTMLInputElement).value).toBe('bt_secret-token-value');
    expect(within(card).getByText(/only time the token is shown/)).toBeTruthy();
    expect(backend.calls.find((c) => c.name === 'users:invite')?.input).toEqual({ name: 'Grace', role: 'pi' });
    await u.click(within(card).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('region', { name: 'Invite for Grace' })).toBeNull();
    expect(await screen.findByRole('rowheader', { name: 'Grace' })).toBeTruthy();
  });

  it('changes a role, lists tokens, and asks before locking someone out', async () => {
    const backend = usersBackend();
    const { user: u } = renderApp(backend);
    await u.selectOptions(await screen.findByRole('combobox', { name: 'Role of Ada' }), 'pi');
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'users:set-role')?.input).toEqual({ userId: 'usr_00000000000000000001', role: 'pi' }));
    const row = screen.getByRole('rowheader', { name: 'Ada' }).closest('tr')!;
    await u.click(within(row).getByRole('button', { name: 'Tokens' }));
    expect(await screen.findByText('tok_00000000000000000001')).toBeTruthy();
    await u.click(within(row).getByRole('button', { name: 'Revoke access' }));
    expect(backend.calls.some((c) => c.name === 'users:revoke-all')).toBe(false);
    expect(within(row).getByText(/Lock Ada out\?/)).toBeTruthy();
    await u.click(within(row).getByRole('button', { name: 'Revoke all tokens' }));
    await waitFor(() => expect(backend.calls.find((c) => c.name === 'users:revoke-all')?.input).toEqual({ userId: 'usr_00000000000000000001' }));
  });

  it('tells a non-admin why the list is not for them', async () => {
    renderApp(usersBackend({ admin: false }));
    expect(await screen.findByText('Only an admin manages users')).toBeTruthy();
  });

  it('shows the audit trail', async () => {
    resetWindow('#/users/audit');
    renderApp(usersBackend());
    expect(await screen.findByText(/changed the role of "Ada" from researcher to pi/)).toBeTruthy();
  });

  it('joins a platform with a pasted invite link and says what is wrong with anything else', async () => {
    resetWindow('#/users/join');
    const backend = usersBackend();
    const { user: u } = renderApp(backend);
    const box = await screen.findByRole('textbox', { name: '…or paste the invite link' });
    await u.type(box, 'hello');
    await u.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText(/This is not a Benchtop invite/)).toBeTruthy();
    await u.clear(box);
    await u.type(box, 'benchtop://connect?url=x');
    await u.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText('Connected to Lab (https://lab.example.org). It is now the active platform.')).toBeTruthy();
  });

  it('fills the join form with an invite link the app was opened with, and connects only when the user says so', async () => {
    resetWindow('#/capsules');
    const backend = usersBackend();
    const link = 'benchtop://connect?platform=Lab&url=https%3A%2F%2Flab.example.org&token=abcdefgh&user=Ada';
    backend.router.handleEvent(invitesOpened, (_input, emit) => {
      const timer = setTimeout(() => emit({ link }), 10);
      return () => clearTimeout(timer);
    });
    const { user: u } = renderApp(backend);
    const box = (await screen.findByRole('textbox', { name: '…or paste the invite link' })) as HTMLTextAreaElement;
    await waitFor(() => expect(box.value).toBe(link));
    expect(window.location.hash).toBe('#/users/join');
    expect(backend.calls.some((c) => c.name === 'invites:open')).toBe(false);
    await u.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText(/Connected to Lab/)).toBeTruthy();
    expect(backend.calls.find((c) => c.name === 'invites:open')?.input).toEqual({ text: link });
  });
});
