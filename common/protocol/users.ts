import { z } from 'zod';
import { id, page, role, timestamp } from './common.js';

/** A person or machine that holds tokens. */
export const user = z.object({ id, name: z.string(), role, createdAt: timestamp });
export type User = z.infer<typeof user>;

/** POST /api/v1/users (admin). */
export const createUserRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role,
});
export type CreateUserRequest = z.infer<typeof createUserRequest>;

/** GET /api/v1/users (admin). */
export const userList = page(user);

/** A token's metadata; the secret itself is never stored, only its sha256. */
export const tokenInfo = z.object({ id, userId: id, label: z.string(), createdAt: timestamp, revokedAt: timestamp.nullable() });
export type TokenInfo = z.infer<typeof tokenInfo>;

/** POST /api/v1/users/:id/tokens (admin). */
export const createTokenRequest = z.strictObject({ label: z.string().trim().max(100).default('') });

/** Answer of token creation: the only time the secret is shown. */
export const createdToken = tokenInfo.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof createdToken>;

/** GET /api/v1/users/:id/tokens (admin). */
export const tokenList = z.object({ items: z.array(tokenInfo) });

/** DELETE /api/v1/tokens/:id (admin) answers the revoked token. */
export const revokedToken = tokenInfo;

/** GET /api/v1/me: who the bearer token belongs to. */
export const meResponse = z.object({ user, tokenId: id });
export type MeResponse = z.infer<typeof meResponse>;
