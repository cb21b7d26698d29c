import { z } from 'zod';
import { storedEventSchema } from '../../schemas';
import { viewerProcedure } from '../../trpc';
import { listEventsInput } from './types';

/** The persisted audit trail, newest first: filter by kind, node, actor, interface, time; page back with beforeId. */
export const list = viewerProcedure
  .meta({
    rest: {
      method: 'GET',
      path: '/events',
      summary:
        'Audit trail and status changes, newest first (filters: kind, nodeId, actor, interface, since)',
      tags: ['events'],
    },
  })
  .input(listEventsInput)
  .output(z.array(storedEventSchema))
  .query(({ ctx, input }) => ctx.handle.services.events.list(input));
