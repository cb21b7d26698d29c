import { ok } from '../../schemas';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { nodeIdInput } from './types';

/** pcp_attach_node: puts a detached node back in service (failback). */
export const attach = operatorProcedure
  .meta({
    rest: {
      method: 'POST',
      path: '/nodes/{nodeId}/attach',
      summary: 'Attach a node (failback)',
      tags: ['nodes'],
    },
  })
  .input(nodeIdInput)
  .output(ok)
  .mutation(async ({ ctx, input }) => {
    await ctx.handle.engine.attachNode(input.nodeId, { actor: actorOf(ctx.principal), reason: input.reason });
    return { ok: true as const };
  });
