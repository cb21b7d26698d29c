import { tracked } from '@trpc/server';
import type { EngineEvent } from '../../../engine/state/types';
import { viewerProcedure } from '../../trpc';
import { engineEventStream } from '../events/stream';
import { onProgressInput, RECOVERY_KINDS } from './types';

/**
 * Live recovery progress over SSE: recovery_started, recovery_stage (start/end with the stage), recovery_output
 * (lines) and recovery_finished (the whole run), optionally for one run. Reconnects resume after lastEventId.
 */
export const onProgress = viewerProcedure
  .meta({
    rest: {
      method: 'GET',
      path: '/recovery/events',
      summary: 'Stream recovery progress events (text/event-stream); runId selects one run',
      tags: ['recovery'],
      stream: true,
    },
  })
  .input(onProgressInput)
  .subscription(async function* ({ ctx, input, signal }) {
    const runId = input?.runId;
    const wanted = (e: EngineEvent): boolean =>
      RECOVERY_KINDS.has(e.kind) && (runId === undefined || e.details?.runId === runId);
    for await (const e of engineEventStream(ctx.handle.engine, input?.lastEventId, wanted, signal)) {
      yield tracked(String(e.id), e);
    }
  });
