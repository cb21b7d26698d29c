/**
 * num_init_children / reserved_connections (reference §10). pgpool serves at most num_init_children clients at a
 * time, one per child; extra clients wait in the listen backlog, or with reserved_connections = R > 0 are refused
 * with FATAL 53300 as soon as more than num_init_children - R sessions are busy. pgwarden keeps the same numbers
 * with session slots instead of processes: waiting clients are accepted sockets parked in a FIFO.
 */
let collector: Admission[] | null = null;

/**
 * Runs `fn` and returns the Admission objects constructed synchronously while it ran. The engine uses it to reach
 * the proxy's admission (online recovery blocks new sessions) without widening the proxy's interface: startProxy
 * builds its Admission before its first await.
 */
export function captureAdmissions<T>(fn: () => T): { result: T; admissions: Admission[] } {
  const prev = collector;
  const admissions: Admission[] = [];
  collector = admissions;
  try {
    return { result: fn(), admissions };
  } finally {
    collector = prev;
  }
}

export class Admission {
  private readonly free: number[] = [];
  private readonly waiters: { resolve: (slot: number) => void; cancelled: boolean }[] = [];
  active = 0;
  /** Online recovery (reference §6.2 step 3): while set, new clients wait in the FIFO, as pgpool stops accept(). */
  private blockedNew = false;

  constructor(
    readonly max: number,
    private readonly reserved: number,
  ) {
    for (let i = max - 1; i >= 0; i--) this.free.push(i);
    collector?.push(this);
  }

  get blocked(): boolean {
    return this.blockedNew;
  }

  /** New sessions wait (no slot is handed out, even a free one) until unblock(). */
  block(): void {
    this.blockedNew = true;
  }

  /** Lets waiting clients in again, in arrival order, as far as slots allow. */
  unblock(): void {
    this.blockedNew = false;
    const limit = this.reserved > 0 ? this.max - this.reserved : this.max;
    while (this.waiters.length > 0 && this.free.length > 0 && this.active < limit) {
      const w = this.waiters.shift()!;
      if (!w.cancelled) w.resolve(this.take());
    }
  }

  /** A slot now, 'full' (refuse with 53300), or a promise resolved when a slot frees (with a cancel function). */
  acquire(): number | 'full' | { wait: Promise<number>; cancel: () => void } {
    if (this.blockedNew) return this.enqueue();
    if (this.reserved > 0) {
      if (this.active >= this.max - this.reserved) return 'full';
      return this.take();
    }
    if (this.free.length > 0) return this.take();
    return this.enqueue();
  }

  private enqueue(): { wait: Promise<number>; cancel: () => void } {
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
    while (!this.blockedNew && this.waiters.length > 0) {
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
