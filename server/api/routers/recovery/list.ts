import { z } from 'zod';
import { recoveryRunSchema } from '../../schemas';
import { viewerProcedure } from '../../trpc';

/** Recovery runs the engine remembers (running and past), newest first, each with its stages and output. */
export const list = viewerProcedure
  .meta({ rest: { method: 'GET', path: '/recovery', summary: 'List recovery runs', tags: ['recovery'] } })
  .output(z.array(recoveryRunSchema))
  .query(async ({ ctx }) =>
    (await ctx.handle.engine.recoveryRuns()).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()),
  );
