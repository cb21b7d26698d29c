import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { nodeIdInput } from './types';

/** pcp_attach_node: puts a detached node back in service (failback). */
export const attach = operatorProcedure.input(nodeIdInput).mutation(async ({ ctx, input }) => {
  await ctx.handle.engine.attachNode(input.nodeId, { actor: actorOf(ctx.principal), reason: input.reason });
  return { ok: true as const };
});
