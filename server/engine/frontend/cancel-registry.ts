/**
 * Maps the BackendKeyData pgwarden gives each client to its session, so a CancelRequest (which arrives on a new
 * connection) reaches the right backends. Keys are random: guessing one would let a stranger cancel queries.
 */
import { randomInt } from 'node:crypto';

export interface Cancellable {
  cancel(): void;
}

export class CancelRegistry {
  private readonly map = new Map<string, Cancellable>();

  register(s: Cancellable): { pid: number; key: number } {
    for (;;) {
      const pid = randomInt(1, 0x7fffffff);
      const key = randomInt(0, 0x7fffffff);
      const k = `${pid}:${key}`;
      if (this.map.has(k)) continue;
      this.map.set(k, s);
      return { pid, key };
    }
  }

  unregister(pid: number, key: number): void {
    this.map.delete(`${pid}:${key}`);
  }

  cancel(pid: number, key: number): boolean {
    const s = this.map.get(`${pid}:${key}`);
    s?.cancel();
    return !!s;
  }
}
