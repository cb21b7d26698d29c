import { z } from 'zod';
import type { NodeSnapshot } from '../../../engine/state/types';
import { nodeSchema } from '../../schemas';
import { viewerProcedure } from '../../trpc';

/** The nodes as SHOW pool_nodes sees them (status, role, pg_role, weight, counters, reason). */
export const list = viewerProcedure
  .meta({ rest: { method: 'GET', path: '/nodes', summary: 'List the backend nodes', tags: ['nodes'] } })
  .output(z.array(nodeSchema))
  .query(async ({ ctx }): Promise<NodeSnapshot[]> => (await ctx.handle.engine.snapshot()).nodes);
