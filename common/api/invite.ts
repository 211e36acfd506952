import { z } from 'zod';
import { platformUrl } from './platforms.contract.js';

/**
 * An invite: what a researcher's app needs to connect to a platform (its URL and a token made for
 * them), as a link (`benchtop://connect?…`, pasted or opened) or as a small JSON file. It carries a
 * secret: the app keeps the token with the secret store and never shows it again.
 */
export const invite = z.strictObject({
  benchtop: z.literal('invite'),
  version: z.literal(1),
  /** The platform's name, as the admin's app calls it. */
  platform: z.string().trim().min(1).max(80),
  url: platformUrl,
  token: z.string().trim().min(8).max(512),
  /** Who it is for (a name, to greet them with). */
  user: z.string().max(100),
});
export type Invite = z.infer<typeof invite>;

export const INVITE_LINK_PREFIX = 'benchtop://connect?';

const FIELDS = ['platform', 'url', 'token', 'user'] as const;

export function inviteLink(value: Invite): string {
  return INVITE_LINK_PREFIX + FIELDS.map((k) => `${k}=${encodeURIComponent(value[k])}`).join('&');
}

/** The file an admin hands over: `benchtop-invite-<name>.json`. */
export function inviteFile(value: Invite): { name: string; content: string } {
  const slug = value.user.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'user';
  return { name: `benchtop-invite-${slug}.json`, content: `${JSON.stringify(value, null, 2)}\n` };
}

/** Reads an invite from a link or a file's text; the error says what is wrong with it. */
export function parseInvite(text: string): { ok: true; invite: Invite } | { ok: false; message: string } {
  const trimmed = text.trim();
  let candidate: unknown;
  if (trimmed.startsWith(INVITE_LINK_PREFIX)) {
    const fields: Record<string, string> = { benchtop: 'invite' };
    for (const pair of trimmed.slice(INVITE_LINK_PREFIX.length).split('&')) {
      const cut = pair.indexOf('=');
      if (cut < 0) continue;
      try {
        fields[pair.slice(0, cut)] = decodeURIComponent(pair.slice(cut + 1));
      } catch {
        return { ok: false, message: `the link's "${pair.slice(0, cut)}" is not valid URL encoding; copy the whole link again` };
      }
    }
    candidate = { ...fields, version: 1 };
  } else if (trimmed.startsWith('{')) {
    try {
      candidate = JSON.parse(trimmed) as unknown;
    } catch {
      return { ok: false, message: 'the file is not valid JSON; open the invite file your admin sent, unchanged' };
    }
  } else {
    return { ok: false, message: `an invite is a link starting with "${INVITE_LINK_PREFIX}" or the JSON file your admin sent` };
  }
  const parsed = invite.safeParse(candidate);
  if (parsed.success) return { ok: true, invite: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, message: `the invite's ${issue.path.join('.') || 'content'} ${issue.message}` };
}
