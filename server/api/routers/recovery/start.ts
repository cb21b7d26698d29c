import { z } from 'zod';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';
import { startRecoveryInput } from './types';

/**
 * pcp_recovery_node, without waiting: answers with the run id at once; follow it with recovery.get (poll),
 * recovery.onProgress (SSE) or GET /api/v1/recovery/{runId}.
 */
export const start = operatorProcedure
  .meta({
    rest: {
      method: 'POST',
      path: '/recovery',
      summary: 'Start an online recovery of a down node; returns the run id to poll or stream',
      tags: ['recovery'],
    },
  })
  .input(startRecoveryInput)
  .output(z.object({ runId: z.string() }))
  .mutation(async ({ ctx, input }) => ({
    runId: await ctx.handle.engine.startRecovery(input.nodeId, {
      actor: actorOf(ctx.principal),
      reason: input.reason,
    }),
  }));
