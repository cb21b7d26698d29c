import { ok } from '../../schemas';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { cancelRecoveryInput } from './types';

/** Stops a running recovery at its next cancellation point; the run ends 'cancelled' (refused once it has ended). */
export const cancel = operatorProcedure
  .meta({
    rest: {
      method: 'POST',
      path: '/recovery/{runId}/cancel',
      summary: 'Cancel a running recovery',
      tags: ['recovery'],
    },
  })
  .input(cancelRecoveryInput)
  .output(ok)
  .mutation(async ({ ctx, input }) => {
    await ctx.handle.engine.cancelRecovery(input.runId, {
      actor: actorOf(ctx.principal),
      reason: input.reason,
    });
    return { ok: true as const };
  });
