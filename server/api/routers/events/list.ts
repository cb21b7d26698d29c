import { viewerProcedure } from '../../trpc';
import { listEventsInput } from './types';

/** The persisted audit trail, newest first: filter by kind, node, actor, time; page back with beforeId. */
export const list = viewerProcedure
  .input(listEventsInput)
  .query(({ ctx, input }) => ctx.handle.services.events.list(input));
