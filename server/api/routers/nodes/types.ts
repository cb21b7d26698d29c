import { z } from 'zod';
import { nodeId, reason } from '../../schemas';

export const nodeIdInput = z.object({
  nodeId,
  /** Why; kept in the audit trail. */
  reason: reason.optional(),
});

export const detachInput = nodeIdInput.extend({
  /** pcp_detach_node -g: wait for client sessions to end first. */
  graceful: z.boolean().optional(),
});

export const promoteInput = nodeIdInput.extend({
  /** pcp_promote_node -s: switch over (demote the old primary to follow the new one) instead of a plain promote. */
  switchover: z.boolean().optional(),
});

export const setWeightInput = nodeIdInput.extend({
  /** backend_weight: relative share of load-balanced reads (pgpool accepts any non-negative number). */
  weight: z.number().min(0).max(100_000_000),
});
