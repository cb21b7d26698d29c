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

/**
 * Subscribes, then backfills what the engine emitted before (start-up events happen before the store is open): the
 * engine's ring is read once and merged with the live events by event id, so each event is written once, in order.
 */
export function startEventPersister(
  engine: Pick<EngineApi, 'subscribe' | 'events'>,
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

  let lastId = 0;
  let held: EngineEvent[] | null = []; // live events that arrive while the backfill is being read
  const enqueue = (event: EngineEvent): void => {
    if (event.id <= lastId) return;
    lastId = event.id;
    if (queue.length >= MAX_QUEUE) {
      queue.shift();
      dropped++;
    }
    queue.push(event);
    kick();
  };
  const unsubscribe = engine.subscribe((event) => (held ? held.push(event) : enqueue(event)));
  void engine
    .events()
    .catch((err: unknown) => {
      logger.warn(`could not read the engine's past events: ${String(err)}`);
      return [];
    })
    .then((past) => {
      const live = held ?? [];
      held = null;
      for (const e of [...past, ...live].sort((a, b) => a.id - b.id)) enqueue(e);
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
