import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../helpers/pg-cluster';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { pgbench } from '../helpers/proxy-pgbench';

describe('proxy: pgbench through pgwarden', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 1 });
  let tp: TestProxy;
  const conn = (): string[] => ['-h', '127.0.0.1', '-p', String(tp.port), '-U', 'postgres', 'postgres'];
  beforeAll(async () => {
    tp = await startTestProxy(pgc.cluster);
    const init = await pgbench(['-i', '-s', '2', '-q', ...conn()]);
    expect(init.code, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await tp?.stop();
  });

  for (const mode of ['simple', 'extended', 'prepared']) {
    it(`-M ${mode} at 32 clients: no failed transaction`, async () => {
      const r = await pgbench(['-M', mode, '-c', '32', '-j', '2', '-T', '5', ...conn()]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.failed).toBe(0);
      expect(r.tps).toBeGreaterThan(0);
    });
  }

  it('-S -C (a new connection per transaction, pool reuse) with no failure', async () => {
    const r = await pgbench(['-S', '-C', '-c', '16', '-j', '2', '-T', '5', ...conn()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.failed).toBe(0);
    expect(tp.proxy.stats().poolHits).toBeGreaterThan(0);
  });
});
