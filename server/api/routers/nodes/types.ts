import { z } from 'zod';

export const nodeIdInput = z.object({
  nodeId: z.number().int().min(0).max(127),
  /** Why; kept in the audit trail. */
  reason: z.string().trim().max(500).optional(),
});

export const detachInput = nodeIdInput.extend({
  /** pcp_detach_node -g: wait for client sessions to end first. */
  graceful: z.boolean().optional(),
});

export const setWeightInput = nodeIdInput.extend({
  /** backend_weight: relative share of load-balanced reads (pgpool accepts any non-negative number). */
  weight: z.number().min(0).max(100_000_000),
});
