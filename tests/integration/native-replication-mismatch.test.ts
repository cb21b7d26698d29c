/**
 * Native replication through a real engine on 3 independent PostgreSQL nodes (reference §4.1–§4.3): a write reaches
 * every node with the same time value, and an affected-tuples mismatch is an XX001 (transaction aborted) or, with
 * failover_if_affected_tuples_mismatch, detaches the diverging node with a reason naming the statement and counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgwardenConfig } from '../../server/engine/config/types';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { registerReplicationFailover } from '../../server/engine/replication/runner';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';

describe('native replication on 3 independent nodes', () => {
  let cluster: PgCluster;
  let dir: string;
  let config: PgwardenConfig;
  let engine: Engine;

  const client = async () => {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: engine.proxyPort,
      user: 'postgres',
      database: 'postgres',
    });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  const onEach = async (sql: string): Promise<unknown[][]> =>
    Promise.all(cluster.nodes.map(async (n) => (await n.query(sql)).map((r) => Object.values(r))));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgw-nr-'));
    cluster = await createCluster({ mode: 'independent', nodes: 3 });
    config = testConfig(
      cluster.nodes.map((n) => ({ port: n.port, dataDir: n.dataDir, applicationName: n.name })),
      { backend_clustering_mode: 'native_replication', logdir: dir, healthCheck: { period: 0 } },
    );
    const { logger } = recordingLogger();
    engine = await startEngine({ config, logger });
    registerReplicationFailover(engine.state, engine.failover);
    const c = await client();
    try {
      await c.query('CREATE TABLE nr_t (id serial PRIMARY KEY, v int, ts timestamptz DEFAULT now(), d date)');
    } finally {
      await c.end();
    }
  }, 120_000);

  afterAll(async () => {
    if (engine) registerReplicationFailover(engine.state, null);
    await engine?.stop('immediate');
    await cluster?.destroy();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('a write reaches all three nodes with identical serial and time values', async () => {
    const c = await client();
    try {
      await c.query('INSERT INTO nr_t (v, d) VALUES (1, CURRENT_DATE), (2, CURRENT_DATE), (3, CURRENT_DATE)');
      const r = await c.query<{ n: number }>('UPDATE nr_t SET v = v + 10 WHERE id <= 3 RETURNING id');
      expect(r.rowCount).toBe(3);
    } finally {
      await c.end();
    }
    const rows = await onEach('SELECT id, v, ts::text, d::text FROM nr_t ORDER BY id');
    expect(rows[0]).toHaveLength(3);
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
  });

  it('every time form is rewritten to a literal the three nodes agree on; random() gets a WARNING', async () => {
    const c = await client();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      await c.query(
        'CREATE TABLE nr_time (a timestamptz, b timestamptz, c date, d timetz, e time, f timestamp, g timestamptz, h time, r float8)',
      );
      await c.query(
        `INSERT INTO nr_time VALUES (now(), CURRENT_TIMESTAMP(2), CURRENT_DATE, CURRENT_TIME(1), LOCALTIME,
          LOCALTIMESTAMP(3), statement_timestamp(), LOCALTIME(0), 0)`,
      );
      await c.query('UPDATE nr_time SET g = pg_catalog.now(), r = random()');
    } finally {
      await c.end();
    }
    expect(notices).toEqual([
      'statement "UPDATE nr_time SET g = pg_catalog.now(), r = random()" calls non-deterministic function(s) random(): the nodes may store different values',
    ]);
    const rows = await onEach(
      'SELECT a::text, b::text, c::text, d::text, e::text, f::text, g::text, h::text FROM nr_time',
    );
    expect(rows[0]).toHaveLength(1);
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
  });

  it('insert_lock: concurrent INSERTs into a serial table get the same ids on every node', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => client()));
    try {
      await clients[0]!.query(
        'CREATE TABLE nr_s (id serial PRIMARY KEY, who int, at timestamp DEFAULT LOCALTIMESTAMP)',
      );
      await Promise.all(
        clients.map(async (c, who) => {
          for (let i = 0; i < 10; i++) await c.query(`INSERT INTO nr_s (who) VALUES (${who})`);
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const rows = await onEach('SELECT id, who, at::text FROM nr_s ORDER BY id');
    expect(rows[0]).toHaveLength(40);
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
  });

  it('insert_lock over the extended protocol: concurrent parameterized INSERTs get the same ids on every node', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => client()));
    try {
      await clients[0]!.query('CREATE TABLE nr_se (id serial PRIMARY KEY, who int, n int)');
      await Promise.all(
        clients.map(async (c, who) => {
          for (let i = 0; i < 25; i++) await c.query('INSERT INTO nr_se (who, n) VALUES ($1, $2)', [who, i]);
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const rows = await onEach('SELECT id, who, n FROM nr_se ORDER BY id');
    expect(rows[0]).toHaveLength(100);
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
  });

  it('affected tuples mismatch, failover off: XX001, transaction rolled back, nothing detached', async () => {
    await cluster.nodes[2]!.query('DELETE FROM nr_t WHERE id = 2');
    const c = await client();
    try {
      await expect(c.query('UPDATE nr_t SET v = 100 WHERE id = 2')).rejects.toMatchObject({
        code: 'XX001',
        message:
          'pgpool detected difference of the number of inserted, updated or deleted tuples. Possible last query was: "UPDATE nr_t SET v = 100 WHERE id = 2"',
      });
      // The session goes on.
      expect((await c.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    } finally {
      await c.end();
    }
    const v = await onEach('SELECT v FROM nr_t WHERE id = 2');
    expect(v[0]).toEqual([[12]]);
    expect(engine.state.nodes.map((n) => n.status)).not.toContain('down');
  });

  it('kind mismatch (a node fails alone): WARNING + FATAL, nodes kept with replication_stop_on_mismatch off', async () => {
    await cluster.nodes[1]!.query('INSERT INTO nr_t (id, v) VALUES (100, 0)');
    const c = await client();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      await expect(c.query('INSERT INTO nr_t (id, v) VALUES (100, 1)')).rejects.toMatchObject({
        message: 'failed to read kind from backend',
      });
    } finally {
      await c.end().catch(() => undefined);
    }
    expect(notices).toContain(
      "packet kind of backend 1 ['E'] does not match with main/majority nodes packet kind ['C']",
    );
    // Rolled back everywhere: the internal transaction never committed.
    expect((await onEach('SELECT v FROM nr_t WHERE id = 100')).map((r) => r.length)).toEqual([0, 1, 0]);
    await cluster.nodes[1]!.query('DELETE FROM nr_t WHERE id = 100');
    expect(engine.state.nodes.map((n) => n.status)).not.toContain('down');
  });

  it("extended protocol: a prepared write with now() stores each execution's own time, equal on every node", async () => {
    const c = await client();
    try {
      await c.query(
        'CREATE TABLE nr_x (id int PRIMARY KEY, v int, at timestamptz, d date DEFAULT CURRENT_DATE)',
      );
      const ins = { name: 'nr_x_ins', text: 'INSERT INTO nr_x (id, v, at) VALUES ($1, $2, now())' };
      await c.query({ ...ins, values: [1, 10] });
      await new Promise((r) => setTimeout(r, 20));
      await c.query({ ...ins, values: [2, 20] });
      // Unnamed statement, in an explicit transaction: the transaction's now().
      await c.query('BEGIN');
      await c.query('INSERT INTO nr_x (id, v, at) VALUES ($1, $2, CURRENT_TIMESTAMP)', [3, 30]);
      const upd = await c.query('UPDATE nr_x SET v = v + $1 WHERE id <= $2', [1, 3]);
      expect(upd.rowCount).toBe(3);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
    const rows = await onEach('SELECT id, v, at::text, d::text FROM nr_x ORDER BY id');
    expect(rows[0]).toHaveLength(3);
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
    // Each execution of the prepared statement got its own time (a Bind parameter, not a literal in the Parse).
    const first = rows[0] as unknown[][];
    expect(first[0]![2]).not.toEqual(first[1]![2]);
  });

  it('extended protocol: affected tuples mismatch aborts on every node (XX001); kind mismatch ends the session', async () => {
    await cluster.nodes[1]!.query('DELETE FROM nr_x WHERE id = 3');
    const c = await client();
    try {
      await expect(c.query('UPDATE nr_x SET v = $1 WHERE id = $2', [0, 3])).rejects.toMatchObject({
        code: 'XX001',
        message:
          'pgpool detected difference of the number of inserted, updated or deleted tuples. Possible last query was: "UPDATE nr_x SET v = $1 WHERE id = $2"',
      });
      expect((await c.query('SELECT $1::int AS one', [1])).rows[0]).toEqual({ one: 1 });
      // Inside the client's transaction: the transaction is aborted on every node (pgpool do_error_command).
      await c.query('BEGIN');
      await expect(c.query('UPDATE nr_x SET v = $1 WHERE id = $2', [0, 3])).rejects.toMatchObject({
        code: 'XX001',
      });
      await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
    // Aborted everywhere: v unchanged on the nodes that have the row.
    expect(await onEach('SELECT v FROM nr_x WHERE id = 3')).toEqual([[[31]], [], [[31]]]);
    const k = await client();
    try {
      await expect(k.query('INSERT INTO nr_x (id, v) VALUES ($1, $2)', [1, 0])).rejects.toMatchObject({
        code: '23505',
      });
      // Main node fails: the others do not run it; the session goes on.
      await cluster.nodes[2]!.query('INSERT INTO nr_x (id, v) VALUES (50, 0)');
      await expect(k.query('INSERT INTO nr_x (id, v) VALUES ($1, $2)', [50, 1])).rejects.toMatchObject({
        message: 'failed to read kind from backend',
      });
    } finally {
      await k.end().catch(() => undefined);
    }
    expect(await onEach('SELECT count(*)::int AS n FROM nr_x WHERE id = 50')).toEqual([[[0]], [[0]], [[1]]]);
    await cluster.nodes[2]!.query('DELETE FROM nr_x WHERE id = 50');
    expect(engine.state.nodes.map((n) => n.status)).not.toContain('down');
  });

  it('affected tuples mismatch, failover on: node 2 detached with the statement and counts as reason', async () => {
    config.failover_if_affected_tuples_mismatch = true;
    const c = await client();
    try {
      await expect(c.query('UPDATE nr_t SET v = 200 WHERE id = 2')).rejects.toMatchObject({ code: 'XX001' });
    } finally {
      await c.end().catch(() => undefined);
    }
    await waitFor('node 2 down', () => engine.state.node(2)?.status === 'down', 20_000);
    const n2 = engine.state.node(2)!;
    expect(n2.reason?.code).toBe('affected_tuples_mismatch');
    expect(n2.reason?.message).toContain('"UPDATE nr_t SET v = 200 WHERE id = 2"');
    expect(n2.reason?.message).toContain('node 0: UPDATE 1, node 1: UPDATE 1, node 2: UPDATE 0');
    expect(engine.state.node(0)?.status).not.toBe('down');
    expect(engine.state.node(1)?.status).not.toBe('down');
  });

  it('replication_stop_on_mismatch: the node failing alone is detached (kind mismatch)', async () => {
    config.replication_stop_on_mismatch = true;
    await cluster.nodes[1]!.query('INSERT INTO nr_t (id, v) VALUES (101, 0)');
    const c = await client();
    try {
      await expect(c.query('INSERT INTO nr_t (id, v) VALUES (101, 1)')).rejects.toMatchObject({
        message: 'failed to read kind from backend',
      });
    } finally {
      await c.end().catch(() => undefined);
    }
    await waitFor('node 1 down', () => engine.state.node(1)?.status === 'down', 20_000);
    expect(engine.state.node(1)?.reason).toMatchObject({ code: 'kind_mismatch' });
    expect(engine.state.node(0)?.status).not.toBe('down');
  });
});
