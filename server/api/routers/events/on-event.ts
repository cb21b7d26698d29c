import { tracked } from '@trpc/server';
import { viewerProcedure } from '../../trpc';
import { engineEventStream } from './stream';
import { onEventInput } from './types';

/**
 * The live engine event stream over SSE. Events are tracked by the engine's event id, so a reconnecting client
 * (lastEventId) first gets what it missed from the engine's ring, then the live stream, without duplicates.
 */
export const onEvent = viewerProcedure
  .meta({
    rest: {
      method: 'GET',
      path: '/events/stream',
      summary: 'Stream live engine events (text/event-stream)',
      tags: ['events'],
      stream: true,
    },
  })
  .input(onEventInput)
  .subscription(async function* ({ ctx, input, signal }) {
    for await (const e of engineEventStream(ctx.handle.engine, input?.lastEventId, () => true, signal)) {
      yield tracked(String(e.id), e);
    }
  });
