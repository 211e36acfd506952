import { INVITE_LINK_PREFIX } from '../../../common/api/invite.js';

/** The invite link among a launch's arguments (Windows and Linux hand a clicked `benchtop://` link over as one). */
export function inviteLinkIn(argv: readonly string[]): string | undefined {
  return argv.find((arg) => arg.startsWith(INVITE_LINK_PREFIX));
}

// A handful is plenty: a person clicks one invite; more than this is someone flooding the handler.
const MAX_WAITING = 5;

/**
 * Invite links the operating system opened the app with, on their way to the page. A link that
 * arrives before the page listens (the app was started by the click) waits here, so it is not lost.
 * The page only pre-fills the join form: connecting still takes the user's click.
 */
export class InviteLinkInbox {
  private readonly waiting: string[] = [];
  private readonly listeners = new Set<(link: string) => void>();

  deliver(link: string): void {
    if (!link.startsWith(INVITE_LINK_PREFIX)) return;
    if (this.listeners.size === 0) {
      if (this.waiting.length < MAX_WAITING) this.waiting.push(link);
      return;
    }
    for (const listener of this.listeners) listener(link);
  }

  listen(listener: (link: string) => void): () => void {
    this.listeners.add(listener);
    for (const link of this.waiting.splice(0)) listener(link);
    return () => this.listeners.delete(listener);
  }
}
