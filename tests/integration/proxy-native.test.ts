import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../server/engine/router/index';
import { createLogger } from '../../server/engine/runtime/logger';
import { useCluster } from '../helpers/pg-cluster';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { pgbench } from '../helpers/proxy-pgbench';

describe('proxy: native replication fan-out with the statement Router', () => {
  const pgc = useCluster({ mode: 'independent', nodes: 2 });
  let tp: TestProxy;
  beforeAll(async () => {
    tp = await startTestProxy(
      pgc.cluster,
      { backend_clustering_mode: 'native_replication' },
      async (config, state) => {
        const router = createRouter({ config, state, logger: createLogger({ level: 'fatal' }) });
        await router.ready;
        return { router };
      },
    );
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('writes, transactions and COPY reach every node; the client sees one answer', async () => {
    const c = await tp.client();
    try {
      await c.query('CREATE TABLE nat_t (a int)');
      const ins = await c.query('INSERT INTO nat_t VALUES (1), (2)');
      expect(ins.rowCount).toBe(2);
      await c.query('BEGIN');
      await c.query('INSERT INTO nat_t VALUES (3)');
      await c.query('COMMIT');
      for (const n of pgc.nodes) {
        const r = await n.query<{ n: number }>('SELECT count(*)::int AS n FROM nat_t');
        expect(r[0]!.n).toBe(3);
      }
    } finally {
      await c.end();
    }
  });

  it('pgbench -i (COPY) and TPC-B through the fan-out: no failures, both nodes equal', async () => {
    const conn = ['-h', '127.0.0.1', '-p', String(tp.port), '-U', 'postgres', 'postgres'];
    const init = await pgbench(['-i', '-s', '1', '-q', ...conn]);
    expect(init.code, init.stderr).toBe(0);
    const r = await pgbench(['-c', '4', '-j', '2', '-t', '100', ...conn]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.failed).toBe(0);
    const sums = await Promise.all(
      pgc.nodes.map((n) => n.query<{ s: string }>('SELECT sum(abalance)::text AS s FROM pgbench_accounts')),
    );
    expect(sums[0]![0]!.s).toBe(sums[1]![0]!.s);
  }, 120_000);
});
