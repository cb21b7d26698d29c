/**
 * Writes every engine event to the store, in order, as it happens (subscribed to EngineApi's stream). Writes are
 * queued so a slow store never blocks the stream, and the queue is bounded: when the store is down for long, the
 * oldest unwritten events are dropped and counted rather than growing memory without limit.
 */
import type { EngineApi } from '../../engine/api';
import type { Logger } from '../../engine/runtime/logger';
import type { EngineEvent } from '../../engine/state/types';
import type { StoreClient } from '../store/client';
import { recordEvent } from './events';

const MAX_QUEUE = 10_000;

export interface EventPersister {
  /** Unsubscribes and waits for the queued writes (up to timeoutMs). */
  stop(timeoutMs?: number): Promise<void>;
  stats(): { written: number; failed: number; dropped: number; queued: number };
}

export function startEventPersister(
  engine: Pick<EngineApi, 'subscribe'>,
  db: StoreClient,
  logger: Logger,
): EventPersister {
  const queue: EngineEvent[] = [];
  let written = 0;
  let failed = 0;
  let dropped = 0;
  let draining: Promise<void> | null = null;

  const drain = async (): Promise<void> => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      try {
        await recordEvent(db, e);
        written++;
      } catch (err) {
        failed++;
        logger.warn(`could not store event ${e.id} (${e.kind})`, { error: String(err) });
      }
    }
  };
  const kick = (): void => {
    draining ??= drain().finally(() => {
      draining = null;
      if (queue.length > 0) kick();
    });
  };

  const unsubscribe = engine.subscribe((event) => {
    if (queue.length >= MAX_QUEUE) {
      queue.shift();
      dropped++;
    }
    queue.push(event);
    kick();
  });

  return {
    async stop(timeoutMs = 5000) {
      unsubscribe();
      if (!draining) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([draining, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      if (queue.length > 0) logger.warn(`event persister stopped with ${queue.length} events not stored`);
    },
    stats: () => ({ written, failed, dropped, queued: queue.length }),
  };
}
