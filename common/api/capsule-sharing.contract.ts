import { z } from 'zod';
import { id } from '../protocol/common.js';
import { capsule, reproSettingsRequest, reproStatus } from '../protocol/capsules.js';
import { sharingRequest } from '../protocol/sharing.js';
import { defineCall } from './contract.js';

/** Who may see and change a capsule (owner or admin may save). */
export const shareCapsule = defineCall('capsules:share', { input: sharingRequest.extend({ id }).strict(), output: capsule });

/** Whether the capsule still reproduces, and its check schedule. */
export const getReproducibility = defineCall('capsules:get-reproducibility', { input: z.object({ id }).strict(), output: reproStatus });

export const setReproducibility = defineCall('capsules:set-reproducibility', { input: reproSettingsRequest.extend({ id }).strict(), output: reproStatus });
