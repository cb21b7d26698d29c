import type { EngineApi } from '../../../engine/api';
import type { EngineEvent } from '../../../engine/state/types';

/**
 * The engine's live events as an async iterable, filtered: first what the client missed since lastEventId (from the
 * engine's ring), then the live stream, without duplicates. Subscribes before replaying so nothing falls between.
 */
export async function* engineEventStream(
  engine: EngineApi,
  lastEventId: string | null | undefined,
  wanted: (e: EngineEvent) => boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<EngineEvent> {
  const queue: EngineEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = engine.subscribe((e) => {
    if (!wanted(e)) return;
    queue.push(e);
    wake?.();
  });
  const aborted = new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
  try {
    let seen = 0;
    const since = Number(lastEventId);
    if (lastEventId && Number.isInteger(since)) {
      for (const e of await engine.events({ sinceId: since })) {
        seen = e.id;
        if (wanted(e)) yield e;
      }
    }
    while (!signal?.aborted) {
      const e = queue.shift();
      if (!e) {
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        wake = null;
      } else if (e.id > seen) {
        yield e;
      }
    }
  } finally {
    unsubscribe();
  }
}
