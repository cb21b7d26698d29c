import { z } from 'zod';
import { sessionSchema } from '../../schemas';
import { viewerProcedure } from '../../trpc';

/** Client session slots (SHOW pool_processes / pcp_proc_count): who is connected, to what, doing what. */
export const sessions = viewerProcedure
  .meta({ rest: { method: 'GET', path: '/pools/sessions', summary: 'Client sessions', tags: ['pools'] } })
  .output(z.array(sessionSchema))
  .query(({ ctx }) => ctx.handle.engine.sessions());
