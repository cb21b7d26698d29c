import { z } from 'zod';
import { viewerProcedure } from '../../trpc';

/** The configuration in effect (after the last reload), passwords masked. */
export const effective = viewerProcedure
  .meta({
    rest: {
      method: 'GET',
      path: '/config',
      summary: 'Effective configuration (passwords masked)',
      tags: ['config'],
    },
  })
  .output(z.record(z.string(), z.unknown()))
  .query(({ ctx }) => ctx.handle.engine.effectiveConfig());
