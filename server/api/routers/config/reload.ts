import { z } from 'zod';
import { reason } from '../../schemas';
import { operatorProcedure } from '../../trpc';
import { actorOf } from '../actor';

/** pcp_reload_config: re-reads pgpool.conf (and pcp.conf, pool_hba.conf); refused when the new file is invalid. */
export const reload = operatorProcedure
  .meta({
    rest: {
      method: 'POST',
      path: '/config/reload',
      summary: 'Reload the configuration files',
      tags: ['config'],
    },
  })
  .input(z.object({ reason: reason.optional() }).optional())
  .output(z.object({ warnings: z.array(z.string()) }))
  .mutation(({ ctx, input }) =>
    ctx.handle.engine.reload({ actor: actorOf(ctx.principal), reason: input?.reason }),
  );
