import { ok } from '../../schemas';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { setWeightInput } from './types';

/** Changes a node's load-balancing weight at run time (not written back to pgpool.conf). */
export const setWeight = operatorProcedure
  .meta({
    rest: {
      method: 'PUT',
      path: '/nodes/{nodeId}/weight',
      summary: 'Set a node load-balancing weight at run time',
      tags: ['nodes'],
    },
  })
  .input(setWeightInput)
  .output(ok)
  .mutation(async ({ ctx, input }) => {
    await ctx.handle.engine.setWeight(input.nodeId, input.weight, {
      actor: actorOf(ctx.principal),
      reason: input.reason,
    });
    return { ok: true as const };
  });
