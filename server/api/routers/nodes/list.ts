import type { NodeSnapshot } from '../../../engine/state/types';
import { viewerProcedure } from '../../trpc';

/** The nodes as SHOW pool_nodes sees them (status, role, pg_role, weight, counters, reason). */
export const list = viewerProcedure.query(
  async ({ ctx }): Promise<NodeSnapshot[]> => (await ctx.handle.engine.snapshot()).nodes,
);
