import { ApiError } from '../../../common/api/errors.js';
import { inviteFile, inviteLink, parseInvite } from '../../../common/api/invite.js';
import type { Router } from '../../../common/api/router.js';
import {
  inviteUser,
  listUsers,
  listAudit,
  listPeople,
  listUserTokens,
  openInvite,
  reinviteUser,
  revokeUserAccess,
  revokeUserToken,
  setUserRole,
  checkNotices,
  invitesOpened,
  type IssuedInvite,
} from '../../../common/api/users.contract.js';
import { followNotices } from './check-notices.js';
import type { CreatedToken, User } from '../../../common/protocol/users.js';
import type { PlatformInfo } from '../../../common/api/platforms.contract.js';
import type { PlatformRegistry } from './platform-registry.js';
import type { InviteLinkInbox } from './invite-link-inbox.js';

function issued(platform: PlatformInfo, user: User, token: CreatedToken): IssuedInvite {
  const value = { benchtop: 'invite' as const, version: 1 as const, platform: platform.name, url: platform.url, token: token.token, user: user.name };
  return { user, tokenId: token.id, token: token.token, link: inviteLink(value), file: inviteFile(value) };
}

/** The Users page and the audit trail over the active platform, and joining a platform by invite. */
export function registerUsers(router: Router, platforms: PlatformRegistry, inviteLinks?: InviteLinkInbox): void {
  router
    .handle(listUsers, () =>
      platforms.withActiveAdmin(async (client) => {
        const items: User[] = [];
        let cursor: string | undefined;
        // A lab has tens of people, not thousands: one page usually; the bound keeps a bad cursor from looping.
        for (let pageNo = 0; pageNo < 100; pageNo++) {
          const page = await client.listUsers({ limit: 500, ...(cursor ? { cursor } : {}) });
          items.push(...page.items);
          cursor = page.next;
          if (!cursor) break;
        }
        return { items };
      }),
    )
    .handle(inviteUser, ({ name, role }) =>
      platforms.withActiveAdmin(async (client, platform) => {
        const user = await client.createUser({ name, role });
        return issued(platform, user, await client.createToken(user.id, 'invite'));
      }),
    )
    .handle(reinviteUser, ({ userId, label }) =>
      platforms.withActiveAdmin(async (client, platform) => {
        const token = await client.createToken(userId, label || 'invite');
        const user = (await client.listUsers({ limit: 500 })).items.find((u) => u.id === userId);
        if (!user) throw new ApiError('not-found', `There is no user ${userId}.`, 'Refresh the list of users.');
        return issued(platform, user, token);
      }),
    )
    .handle(setUserRole, ({ userId, role }) => platforms.withActiveAdmin((client) => client.setUserRole(userId, role)))
    .handle(listUserTokens, ({ userId }) => platforms.withActiveAdmin((client) => client.listTokens(userId)))
    .handle(revokeUserToken, ({ tokenId }) => platforms.withActiveAdmin((client) => client.revokeToken(tokenId)))
    .handle(revokeUserAccess, ({ userId }) => platforms.withActiveAdmin((client) => client.revokeUserTokens(userId)))
    .handle(listPeople, () => platforms.withActive((client) => client.listPeople()))
    .handle(listAudit, (query) => platforms.withActiveAdmin((client) => client.audit(query ?? {})))
    .handleEvent(invitesOpened, (_input, emit) => inviteLinks?.listen((link) => emit({ link })))
    .handleEvent(checkNotices, (_input, emit) => followNotices(platforms, (entry) => emit({ entry })))
    .handle(openInvite, async ({ text }) => {
      const parsed = parseInvite(text);
      if (!parsed.ok) throw new ApiError('bad-input', `This is not a Benchtop invite: ${parsed.message}.`, 'Ask your admin to send the invite again.');
      const { platform, url, token } = parsed.invite;
      return platforms.add({ name: platform, url, token, activate: true });
    });
}
