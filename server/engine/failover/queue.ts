/**
 * pgpool's failover request queue (MAX_REQUEST_QUEUE_SIZE = 10, reference §3.3): requests are processed one at a
 * time, in arrival order, so two failovers never interleave. A full queue refuses the request instead of growing.
 */
import { EngineError } from '../errors';

export const MAX_REQUEST_QUEUE_SIZE = 10;

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class SerialQueue<T> {
  private readonly pending: Pending<T>[] = [];
  private running = false;

  constructor(
    private readonly handler: (item: T) => Promise<void>,
    private readonly max = MAX_REQUEST_QUEUE_SIZE,
  ) {}

  /** True while a request is being handled or waiting. */
  get busy(): boolean {
    return this.running || this.pending.length > 0;
  }

  get length(): number {
    return this.pending.length;
  }

  /** Queues an item; resolves when its handler has finished (rejects with the handler's error). */
  push(item: T): Promise<void> {
    if (this.pending.length >= this.max) {
      return Promise.reject(
        new EngineError(
          'failover_in_progress',
          `failover request queue is full (${this.max} requests waiting)`,
          {
            retryable: true,
          },
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      void this.drain();
    });
  }

  /** Resolves once nothing is queued or running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        try {
          await this.handler(next.item);
          next.resolve();
        } catch (e) {
          next.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
