import { createAccessToken, digest, tokensMatch } from './access-token.js';

export type Exchange = { ok: true; secret: string } | { ok: false; reason: 'wrong' | 'used' };

/**
 * Browser mode's credentials. The launch token travels in the address the launcher prints (and
 * in its redirect file), so it may be seen; it opens nothing by itself and is traded once for a
 * page secret, which the page keeps in script and sends as a header. Nothing here is ambient:
 * no cookie, which Chromium would also send to every other server on 127.0.0.1, whatever its port.
 */
export class PageSessions {
  readonly #launchToken: string;
  #launchTokenUsed = false;
  // Digests, so a lookup's timing depends on a hash of the guess, not on how much of a secret it got right.
  readonly #secrets = new Set<string>();

  constructor(launchToken: string = createAccessToken()) {
    this.#launchToken = launchToken;
  }

  get launchToken(): string {
    return this.#launchToken;
  }

  /** A wrong guess does not use the token up; the right one works once. */
  exchange(given: string): Exchange {
    if (!tokensMatch(this.#launchToken, given)) return { ok: false, reason: 'wrong' };
    if (this.#launchTokenUsed) return { ok: false, reason: 'used' };
    this.#launchTokenUsed = true;
    const secret = createAccessToken();
    this.#secrets.add(digest(secret).toString('hex'));
    return { ok: true, secret };
  }

  admits(secret: string | undefined): boolean {
    return secret !== undefined && this.#secrets.has(digest(secret).toString('hex'));
  }
}
