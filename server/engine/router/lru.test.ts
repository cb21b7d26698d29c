import { describe, expect, it } from 'vitest';
import { LruCache } from './lru';
import { seededRng } from './test-rng';

describe('LruCache (nearly LRU)', () => {
  it('is exact LRU below capacity 4', () => {
    const c = new LruCache<string, number>(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // a is now the newest
    c.set('d', 4); // evicts b, the least recently used
    expect(c.get('b')).toBeUndefined();
    expect([c.get('a'), c.get('c'), c.get('d')]).toEqual([1, 3, 4]);
    expect(c.size).toBe(3);
    expect({ hits: c.hits, misses: c.misses }).toEqual({ hits: 4, misses: 1 });
  });

  it('never evicts a key touched in the last capacity/4 gets or sets, and stays bounded', () => {
    const capacity = 64;
    const c = new LruCache<number, number>(capacity);
    const rng = seededRng(7);
    const lastTouch = new Map<number, number>();
    let touches = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = Math.floor(rng() * 200);
      touches++;
      if (c.get(key) === key) {
        lastTouch.set(key, touches);
        continue;
      }
      const before = new Set(lastTouch.keys());
      c.set(key, key);
      lastTouch.set(key, touches);
      expect(c.size).toBeLessThanOrEqual(capacity);
      if (before.size === capacity) {
        const evicted = [...before].filter((k) => !c.has(k));
        expect(evicted).toHaveLength(1);
        expect(touches - lastTouch.get(evicted[0]!)!).toBeGreaterThan(capacity / 4);
        lastTouch.delete(evicted[0]!);
      }
    }
  });
});
