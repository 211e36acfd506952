import { z } from 'zod';
import { auditEntry, auditList, auditQuery } from '../protocol/audit.js';
import { id, role } from '../protocol/common.js';
import { tokenInfo, user } from '../protocol/users.js';
import { defineCall, defineEvent } from './contract.js';
import { platformInfo } from './platforms.contract.js';

// The Users page (admin) and joining by invite (everyone). Calls go to the active platform; on
// the local sandbox as its admin, elsewhere with the app's token (the platform refuses non-admins).

const personRole = role.exclude(['worker']);

/** What an admin hands to a new user: the link and the file carry the same URL and token. Shown once. */
export const issuedInvite = z.object({
  user,
  tokenId: id,
  /** The token itself, shown this once so it can be copied; the app does not keep it. */
  token: z.string(),
  link: z.string(),
  file: z.object({ name: z.string(), content: z.string() }),
});
export type IssuedInvite = z.infer<typeof issuedInvite>;

export const listUsers = defineCall('users:list', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ items: z.array(user) }),
});

/** Adds a user and makes their first token, as an invite. */
export const inviteUser = defineCall('users:invite', {
  input: z.object({ name: z.string().trim().min(1, 'must not be empty').max(100), role: personRole.default('researcher') }).strict(),
  output: issuedInvite,
});

/** A new token (as an invite) for someone who lost theirs or has a new machine. */
export const reinviteUser = defineCall('users:reinvite', {
  input: z.object({ userId: id, label: z.string().trim().max(100).default('') }).strict(),
  output: issuedInvite,
});

export const setUserRole = defineCall('users:set-role', { input: z.object({ userId: id, role: personRole }).strict(), output: user });

export const listUserTokens = defineCall('users:list-tokens', { input: z.object({ userId: id }).strict(), output: z.object({ items: z.array(tokenInfo) }) });

export const revokeUserToken = defineCall('users:revoke-token', { input: z.object({ tokenId: id }).strict(), output: tokenInfo });

/** Locks a user out: every token of theirs stops working at once. */
export const revokeUserAccess = defineCall('users:revoke-all', { input: z.object({ userId: id }).strict(), output: z.object({ items: z.array(tokenInfo) }) });

/** The lab's people (names and roles), for picking collaborators; any person may ask. */
export const listPeople = defineCall('users:list-people', {
  input: z.void().or(z.object({}).strict()),
  output: z.object({ items: z.array(user.pick({ id: true, name: true, role: true })) }),
});

/** The append-only audit trail (admins and PIs), newest first. */
export const listAudit = defineCall('audit:list', { input: auditQuery.optional(), output: auditList });

/** Connects to the platform of an invite (link or file text): checks its token, then keeps it with the secret store. */
export const openInvite = defineCall('invites:open', {
  input: z.object({ text: z.string().min(1, 'paste the invite link or choose the invite file').max(10_000) }).strict(),
  output: platformInfo,
});

/** Invite links the operating system opened the app with (desktop only): the page pre-fills its join form. */
export const invitesOpened = defineEvent('invites:opened', { input: z.void().or(z.object({}).strict()), payload: z.object({ link: z.string().max(10_000) }) });

/** What the active platform has to tell this user (a capsule of theirs diverged), as it happens. */
export const checkNotices = defineEvent('checks:notices', { input: z.void().or(z.object({}).strict()), payload: z.object({ entry: auditEntry }) });
