import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../helpers/pg-cluster';
import { garbageCases, sendGarbage, slowLoris } from '../helpers/proxy-garbage';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { pgbench } from '../helpers/proxy-pgbench';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('proxy: hostile input', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  let tp: TestProxy;
  beforeAll(async () => {
    tp = await startTestProxy(pgc.cluster, { authentication_timeout: 2, num_init_children: 64 });
    const init = await pgbench([
      '-i',
      '-s',
      '1',
      '-q',
      '-h',
      '127.0.0.1',
      '-p',
      String(tp.port),
      '-U',
      'postgres',
      'postgres',
    ]);
    expect(init.code, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('slow-loris start-up is cut off by authentication_timeout', async () => {
    const took = await Promise.all([slowLoris(tp.port, 300, 15_000), slowLoris(tp.port, 300, 15_000)]);
    for (const t of took) {
      expect(t).toBeGreaterThanOrEqual(1900);
      expect(t).toBeLessThan(6000);
    }
  });

  it('10,000 malformed messages, each on its own connection, while pgbench keeps succeeding', async () => {
    const baseline = heapAfterGc();
    const bench = pgbench([
      '-S',
      '-c',
      '8',
      '-j',
      '2',
      '-T',
      '25',
      '-h',
      '127.0.0.1',
      '-p',
      String(tp.port),
      '-U',
      'postgres',
      'postgres',
    ]);
    const total = 10_000;
    const outcomes = { closed: 0, timeout: 0 };
    const kinds = new Map<string, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const i = next++;
        const list = garbageCases(i);
        const c = list[i % list.length]!;
        kinds.set(c.name, (kinds.get(c.name) ?? 0) + 1);
        outcomes[await sendGarbage(tp.port, c)]++;
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    expect(outcomes.timeout).toBe(0);
    expect(outcomes.closed).toBe(total);
    expect(kinds.size).toBeGreaterThanOrEqual(20);
    const r = await bench;
    expect(r.code, r.stderr).toBe(0);
    expect(r.failed).toBe(0);
    expect(r.tps).toBeGreaterThan(0);
    // Every hostile session is gone and memory is back near the baseline.
    await new Promise((res) => setTimeout(res, 500));
    expect(tp.proxy.stats().sessions).toBe(0);
    const after = heapAfterGc();
    expect(after - baseline).toBeLessThan(40 * 1024 * 1024);
    expect(process.memoryUsage().rss).toBeLessThan(1024 * 1024 * 1024);
  }, 180_000);
});
