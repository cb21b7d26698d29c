import { ok } from '../../schemas';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { detachInput } from './types';

/** pcp_detach_node: takes a node out of service (failover if it was the primary). */
export const detach = operatorProcedure
  .meta({
    rest: {
      method: 'POST',
      path: '/nodes/{nodeId}/detach',
      summary: 'Detach a node (failover when it is the primary); graceful waits for its sessions to end',
      tags: ['nodes'],
    },
  })
  .input(detachInput)
  .output(ok)
  .mutation(async ({ ctx, input }) => {
    await ctx.handle.engine.detachNode(input.nodeId, {
      actor: actorOf(ctx.principal),
      reason: input.reason,
      graceful: input.graceful,
    });
    return { ok: true as const };
  });
