import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../server/engine/protocol/frontend-builders';
import { createAdminHandler } from '../../server/engine/admin/index';
import { createRouter } from '../../server/engine/router/index';
import { createLogger } from '../../server/engine/runtime/logger';
import { useCluster } from '../helpers/pg-cluster';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { pgbench } from '../helpers/proxy-pgbench';
import { RawClient, firstValues, names } from '../helpers/proxy-raw-client';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('proxy: streaming replication routing with the statement Router', () => {
  const pgc = useCluster({ mode: 'streaming', nodes: 2 });
  let tp: TestProxy;
  let primaryPort = '';
  let standbyPort = '';
  beforeAll(async () => {
    // Weight 0 on the primary: every session's load-balance node is the standby, so reads and writes split.
    const over = {
      backends: pgc.cluster.nodes.map((n, i) => ({
        hostname: '127.0.0.1',
        port: n.port,
        weight: i === 0 ? 0 : 1,
      })),
    };
    tp = await startTestProxy(pgc.cluster, over, async (config, state) => {
      const router = createRouter({ config, state, logger: createLogger({ level: 'fatal' }) });
      await router.ready;
      const admin = createAdminHandler((session) => ({
        state,
        config,
        session,
        sessions: () => tp.proxy.sessions(),
        pools: () => tp.proxy.pools(),
        healthCheckStats: () => [],
      }));
      return { router, admin };
    });
    primaryPort = String(pgc.nodes[0]!.port);
    standbyPort = String(pgc.nodes[1]!.port);
    await pgc.primary.query('CREATE TABLE IF NOT EXISTS rw_t (a int)');
    await pgc.primary.query('CREATE TABLE IF NOT EXISTS rw_t2 (a int)');
    for (let i = 0; i < 100; i++) {
      const r = await pgc.nodes[1]!.query("SELECT to_regclass('rw_t2') IS NOT NULL AS ok");
      if (r[0]?.ok) break;
      await sleep(100);
    }
  });
  afterAll(async () => {
    await tp?.stop();
  });

  it('simple reads go to the standby, writes and reads after a write in a transaction to the primary', async () => {
    const c = await tp.client();
    try {
      const port = async (): Promise<string> =>
        (await c.query<{ p: string }>('SELECT inet_server_port()::text AS p')).rows[0]!.p;
      expect(await port()).toBe(standbyPort);
      await c.query('BEGIN');
      const w = await c.query<{ p: string }>(
        'INSERT INTO rw_t VALUES (1) RETURNING inet_server_port()::text AS p',
      );
      expect(w.rows[0]!.p).toBe(primaryPort);
      expect(await port()).toBe(primaryPort);
      const own = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM rw_t WHERE a = 1');
      expect(own.rows[0]!.n).toBeGreaterThan(0);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  });

  it('pipelined BEGIN / INSERT / SELECT / COMMIT (not awaited) still read their own write', async () => {
    const c = await tp.client();
    try {
      const ps = [
        c.query('BEGIN'),
        c.query('INSERT INTO rw_t VALUES (42)'),
        c.query<{ n: number; p: string }>(
          'SELECT count(*)::int AS n, inet_server_port()::text AS p FROM rw_t WHERE a = 42',
        ),
        c.query('COMMIT'),
      ];
      const rs = await Promise.all(ps);
      const sel = rs[2]!.rows[0] as { n: number; p: string };
      expect(sel.p).toBe(primaryPort);
      expect(sel.n).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });

  it('one extended batch with a read (standby) then a write (primary) answers both, with one ReadyForQuery', async () => {
    const rc = await RawClient.connect(tp.port);
    try {
      rc.send(
        fe.parse('', 'SELECT inet_server_port()::text'),
        fe.bind('', ''),
        fe.execute(),
        fe.parse('', 'INSERT INTO rw_t2 VALUES (7) RETURNING inet_server_port()::text'),
        fe.bind('', ''),
        fe.execute(),
        fe.sync(),
      );
      const msgs = await rc.untilReady();
      expect(firstValues(msgs)).toEqual([standbyPort, primaryPort]);
      expect(names(msgs).filter((n) => n === 'readyForQuery')).toHaveLength(1);
      // A write first: the read that follows in the batch stays on the primary.
      rc.send(
        fe.parse('', 'INSERT INTO rw_t2 VALUES (8) RETURNING inet_server_port()::text'),
        fe.bind('', ''),
        fe.execute(),
        fe.parse('', 'SELECT inet_server_port()::text'),
        fe.bind('', ''),
        fe.execute(),
        fe.sync(),
      );
      expect(firstValues(await rc.untilReady())).toEqual([primaryPort, primaryPort]);
    } finally {
      rc.close();
    }
  });

  it('an error on the standby part of a batch skips the rest of the batch, as PostgreSQL would', async () => {
    const rc = await RawClient.connect(tp.port);
    try {
      rc.send(
        fe.parse('', 'SELECT 1/0'),
        fe.bind('', ''),
        fe.execute(),
        fe.parse('', 'INSERT INTO rw_t2 VALUES (99)'),
        fe.bind('', ''),
        fe.execute(),
        fe.sync(),
      );
      const msgs = await rc.untilReady();
      // 1/0 fails when the unnamed statement is planned (at Bind): one error, one ReadyForQuery, no INSERT.
      expect(names(msgs).slice(-2)).toEqual(['errorResponse', 'readyForQuery']);
      expect(names(msgs).filter((n) => n === 'errorResponse')).toHaveLength(1);
      rc.send(fe.query('SELECT count(*) FROM rw_t2 WHERE a = 99'));
      expect(firstValues(await rc.untilReady())).toEqual(['0']);
    } finally {
      rc.close();
    }
  });

  it('SHOW pool_nodes is answered by the admin hook', async () => {
    const c = await tp.client();
    try {
      const r = await c.query<{ node_id: string; role: string; load_balance_node: string }>(
        'SHOW pool_nodes',
      );
      expect(r.rows.map((x) => x.role)).toEqual(['primary', 'standby']);
      expect(r.rows[1]!.load_balance_node).toBe('true');
      expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await c.end();
    }
  });

  it('pgbench -S and TPC-B in every protocol mode succeed with reads on the standby', async () => {
    const conn = ['-h', '127.0.0.1', '-p', String(tp.port), '-U', 'postgres', 'postgres'];
    const init = await pgbench(['-i', '-s', '1', '-q', ...conn]);
    expect(init.code, init.stderr).toBe(0);
    await sleep(1000); // let the standby replay the new tables
    const before = tp.state.node(1)!.counters.select;
    for (const mode of ['simple', 'extended', 'prepared']) {
      const ro = await pgbench(['-S', '-M', mode, '-c', '8', '-j', '2', '-T', '3', ...conn]);
      expect(ro.code, ro.stderr).toBe(0);
      expect(ro.failed).toBe(0);
      const rw = await pgbench(['-M', mode, '-c', '8', '-j', '2', '-T', '3', ...conn]);
      expect(rw.code, `${mode}: ${rw.stderr}`).toBe(0);
      expect(rw.failed).toBe(0);
    }
    expect(tp.state.node(1)!.counters.select).toBeGreaterThan(before);
  }, 120_000);
});
