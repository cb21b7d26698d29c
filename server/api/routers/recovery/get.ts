import { TRPCError } from '@trpc/server';
import { recoveryRunSchema } from '../../schemas';
import { viewerProcedure } from '../../trpc';
import { runIdInput } from './types';

/** One recovery run with its stages (poll this until `outcome` is no longer 'running'). */
export const get = viewerProcedure
  .meta({
    rest: {
      method: 'GET',
      path: '/recovery/{runId}',
      summary: 'One recovery run and its stages',
      tags: ['recovery'],
    },
  })
  .input(runIdInput)
  .output(recoveryRunSchema)
  .query(async ({ ctx, input }) => {
    const run = await ctx.handle.engine.recoveryRun(input.runId);
    if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: `no recovery run ${input.runId}` });
    return run;
  });
