import { tracked } from '@trpc/server';
import type { EngineEvent } from '../../../engine/state/types';
import { viewerProcedure } from '../../trpc';
import { onEventInput } from './types';

/**
 * The live engine event stream over SSE. Events are tracked by the engine's event id, so a reconnecting client
 * (lastEventId) first gets what it missed from the engine's ring, then the live stream, without duplicates.
 */
export const onEvent = viewerProcedure.input(onEventInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const engine = ctx.handle.engine;
  const queue: EngineEvent[] = [];
  let wake: (() => void) | null = null;
  // Subscribe before replaying so nothing falls between the two.
  const unsubscribe = engine.subscribe((e) => {
    queue.push(e);
    wake?.();
  });
  const aborted = new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
  try {
    let seen = 0;
    const since = Number(input?.lastEventId);
    if (input?.lastEventId && Number.isInteger(since)) {
      for (const e of await engine.events({ sinceId: since })) {
        seen = e.id;
        yield tracked(String(e.id), e);
      }
    }
    while (!signal?.aborted) {
      const e = queue.shift();
      if (!e) {
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        wake = null;
      } else if (e.id > seen) {
        yield tracked(String(e.id), e);
      }
    }
  } finally {
    unsubscribe();
  }
});
