import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: launch tokens and page secrets alike, never written to disk by the host. */
export function createAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time, also in the length: both sides are hashed to 32 bytes before comparing. */
export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

export function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The credential of `Authorization: Bearer T`. Cookies are never read: they reach every port of 127.0.0.1. */
export function bearerOf(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}
