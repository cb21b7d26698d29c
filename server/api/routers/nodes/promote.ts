import { ok } from '../../schemas';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { promoteInput } from './types';

/** pcp_promote_node: makes a standby the primary (switchover: the old primary follows it). */
export const promote = operatorProcedure
  .meta({
    rest: {
      method: 'POST',
      path: '/nodes/{nodeId}/promote',
      summary: 'Promote a standby to primary, or switch over to it',
      tags: ['nodes'],
    },
  })
  .input(promoteInput)
  .output(ok)
  .mutation(async ({ ctx, input }) => {
    await ctx.handle.engine.promoteNode(input.nodeId, {
      actor: actorOf(ctx.principal),
      reason: input.reason,
      switchover: input.switchover,
    });
    return { ok: true as const };
  });
