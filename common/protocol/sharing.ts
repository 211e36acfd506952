import { z } from 'zod';
import { id } from './common.js';

/** Who besides the owner may read a capsule or dataset: nobody ('private') or the whole lab ('lab', read only). */
export const visibility = z.enum(['private', 'lab']);
export type Visibility = z.infer<typeof visibility>;

/**
 * Ownership of a capsule or dataset. Collaborators may read and change it (commit, new versions);
 * only the owner or an admin may change its sharing. PIs and admins read everything.
 */
export const sharing = z.object({ ownerId: id, visibility, collaborators: z.array(id) });
export type Sharing = z.infer<typeof sharing>;

/**
 * PUT /api/v1/capsules/:id/sharing and /api/v1/datasets/:id/sharing (owner, admin): the fields
 * sent replace the current ones; `ownerId` hands the thing over to another person.
 */
export const sharingRequest = z.strictObject({
  visibility: visibility.optional(),
  collaborators: z.array(id).max(100).optional(),
  ownerId: id.optional(),
});
export type SharingRequest = z.infer<typeof sharingRequest>;
