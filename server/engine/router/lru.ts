/**
 * A bounded, nearly least-recently-used map (Map keeps insertion order: the oldest key is the first). A hit is moved
 * to the end only when it was last moved more than capacity/4 touches ago: a hot key (pgbench -S's one statement,
 * an application's few statements) is then a single Map lookup per hit instead of a lookup + delete + insert. Nothing
 * touched in the last capacity/4 gets or sets is evicted (the first key in the map has had capacity - 1 keys moved or
 * inserted after it); below capacity 4 it is exact LRU. Used for the statement-class cache keyed by statement text.
 */
interface Entry<V> {
  value: V;
  /** `tick` when the entry was last inserted or moved to the end. */
  at: number;
}

export class LruCache<K, V> {
  private readonly map = new Map<K, Entry<V>>();
  private tick = 0;
  private readonly slack: number;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    this.slack = capacity >> 2;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (this.tick - e.at > this.slack) {
      this.map.delete(key);
      this.map.set(key, e);
      e.at = ++this.tick;
    }
    return e.value;
  }

  set(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, { value, at: ++this.tick });
  }

  /** Whether the key is cached, without counting a hit or touching its recency. */
  has(key: K): boolean {
    return this.map.has(key);
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
