import { z } from 'zod';
import { poolSchema } from '../../schemas';
import { viewerProcedure } from '../../trpc';

/** Cached backend connections per session slot and node (SHOW pool_pools). */
export const pools = viewerProcedure
  .meta({
    rest: {
      method: 'GET',
      path: '/pools',
      summary: 'Cached backend connections (pool_pools)',
      tags: ['pools'],
    },
  })
  .output(z.array(poolSchema))
  .query(({ ctx }) => ctx.handle.engine.pools());
