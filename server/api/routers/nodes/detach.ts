import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { detachInput } from './types';

/** pcp_detach_node: takes a node out of service (failover if it was the primary). */
export const detach = operatorProcedure.input(detachInput).mutation(async ({ ctx, input }) => {
  await ctx.handle.engine.detachNode(input.nodeId, {
    actor: actorOf(ctx.principal),
    reason: input.reason,
    graceful: input.graceful,
  });
  return { ok: true as const };
});
