import { z } from 'zod';
import { nodeId, reason } from '../../schemas';

export const startRecoveryInput = z.object({ nodeId, reason: reason.optional() });
export const runIdInput = z.object({ runId: z.string().min(1).max(200) });
export const cancelRecoveryInput = runIdInput.extend({ reason: reason.optional() });
export const onProgressInput = z
  .object({
    /** Only this run's events; all recovery events when absent. */
    runId: z.string().min(1).max(200).optional(),
    lastEventId: z.string().nullish(),
  })
  .optional();

export const RECOVERY_KINDS = new Set([
  'recovery_started',
  'recovery_stage',
  'recovery_output',
  'recovery_finished',
]);
