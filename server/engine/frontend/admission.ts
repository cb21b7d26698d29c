/**
 * num_init_children / reserved_connections (reference §10). pgpool serves at most num_init_children clients at a
 * time, one per child; extra clients wait in the listen backlog, or with reserved_connections = R > 0 are refused
 * with FATAL 53300 as soon as more than num_init_children - R sessions are busy. pgwarden keeps the same numbers
 * with session slots instead of processes: waiting clients are accepted sockets parked in a FIFO.
 */
export class Admission {
  private readonly free: number[] = [];
  private readonly waiters: { resolve: (slot: number) => void; cancelled: boolean }[] = [];
  active = 0;

  constructor(
    readonly max: number,
    private readonly reserved: number,
  ) {
    for (let i = max - 1; i >= 0; i--) this.free.push(i);
  }

  /** A slot now, 'full' (refuse with 53300), or a promise resolved when a slot frees (with a cancel function). */
  acquire(): number | 'full' | { wait: Promise<number>; cancel: () => void } {
    if (this.reserved > 0) {
      if (this.active >= this.max - this.reserved) return 'full';
      return this.take();
    }
    if (this.free.length > 0) return this.take();
    const w = { resolve: (_: number) => undefined as void, cancelled: false };
    const wait = new Promise<number>((resolve) => (w.resolve = resolve));
    this.waiters.push(w);
    return {
      wait,
      cancel: () => {
        w.cancelled = true;
      },
    };
  }

  private take(): number {
    this.active++;
    return this.free.pop() ?? this.active - 1;
  }

  release(slot: number): void {
    while (this.waiters.length > 0) {
      const w = this.waiters.shift()!;
      if (w.cancelled) continue;
      w.resolve(slot); // the slot passes straight to the next waiter
      return;
    }
    this.active--;
    this.free.push(slot);
  }

  get waiting(): number {
    return this.waiters.filter((w) => !w.cancelled).length;
  }
}
