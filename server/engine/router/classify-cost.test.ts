import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier, loadParser } from './classifier';
import { testConfig } from './test-config';

// Benchmark-ish: prints the per-statement cost of classify (not asserted on time; CI machines vary).
const PARSED = [
  'SELECT a, count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > $1 GROUP BY a',
  'UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = 42',
  'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 2, 3, 4, CURRENT_TIMESTAMP)',
  'WITH x AS (SELECT * FROM t WHERE a IN (SELECT b FROM u)) SELECT * FROM x FOR UPDATE',
];
const FAST = ['SELECT abalance FROM pgbench_accounts WHERE aid = 42', 'BEGIN', 'COMMIT'];

function perCall(n: number, fn: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n / 1000;
}

describe('classify cost', () => {
  beforeAll(loadParser);

  it('prints µs per statement: parser (uncached), fast path (uncached), cached', () => {
    const n = 2000;
    const c = createClassifier({ config: testConfig(), cacheSize: 100 });
    // Warm-up (JIT, WASM) so the numbers describe steady state.
    for (let i = 0; i < 500; i++) {
      c.base(`${PARSED[0]!} AND x${i} = 1`);
      c.base(`${FAST[0]!} + c${i}`);
    }
    // Unique texts defeat the cache: an identifier that changes per call (literals alone share a cache key).
    const parsed = perCall(n, (i) =>
      c.base(`${PARSED[i % PARSED.length]!} AND y${i} = 1`.replace('VALUES (1', `VALUES (z${i}`)),
    );
    const fast = perCall(n, (i) => c.base(`${FAST[0]!} + c${i}`));
    // pgbench -M simple: the same statements with other values are classified once.
    const literals = createClassifier({ config: testConfig() });
    for (let i = 0; i < 1000; i++)
      literals.base(`UPDATE pgbench_accounts SET abalance = abalance + ${i} WHERE aid = ${i * 7}`);
    expect(literals.stats().parses).toBe(1);
    const warm = createClassifier({ config: testConfig() });
    for (const s of [...PARSED, ...FAST]) warm.base(s);
    const cached = perCall(n * 10, (i) => warm.base([...PARSED, ...FAST][i % 7]!));
    const s = c.stats();
    console.log(
      `classify: parser ${parsed.toFixed(1)} µs, fast path ${fast.toFixed(1)} µs, cached ${cached.toFixed(2)} µs per statement`,
    );
    expect(s.fastPath).toBeGreaterThanOrEqual(n + 500);
    expect(s.parses).toBeGreaterThanOrEqual(n);
    expect(warm.stats().cacheHits).toBe(n * 10);
  });
});
