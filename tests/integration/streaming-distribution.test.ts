/**
 * Streaming-replication routing proved from the backends' own view (issue #3 must-show), through the real engine
 * (startEngine: proxy, router with its catalogue connection, sr_check):
 *  - weights 1/2/1 over 3,000 short sessions: each node's share of one plain SELECT, counted by pg_stat_statements on
 *    that node, is within 5 points of its weight share; weights 0/1/1 (set at runtime): node 0 runs none of them;
 *  - writes (INSERT, UPDATE, DDL, SELECT nextval, FOR UPDATE, a writing CTE, a volatile user function, a volatile
 *    built-in) and reads of temporary / unlogged tables appear only in the primary's statement log (log_statement =
 *    all), while a stable user function and a stable built-in are load balanced to a standby.
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../server/engine/engine';
import { testConfig } from '../../server/engine/failover/testing/test-config';
import { recordingLogger, waitFor } from '../../server/engine/failover/testing/wait';
import { createCluster, type PgCluster } from '../helpers/pg-cluster';

const PROBE = 'SELECT count(*) FROM lb_probe';
const ADMIN = { actor: { name: 'test', interface: 'cli' as const } };

describe('streaming replication: distribution and write routing seen by the backends', () => {
  let cluster: PgCluster;
  let engine: Engine;

  const connect = async (): Promise<pg.Client> => {
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

  /** `n` sessions, `workers` at a time, each running PROBE once. */
  const sessions = async (n: number, workers: number): Promise<number> => {
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < n) {
          next++;
          const c = await connect();
          try {
            await c.query(PROBE);
          } finally {
            await c.end();
          }
        }
      }),
    );
    return Date.now() - t0;
  };

  const resetStats = () =>
    Promise.all(cluster.nodes.map((n) => n.query('SELECT pg_stat_statements_reset()')));
  /** Calls of PROBE per node, from each node's pg_stat_statements. */
  const probeCalls = async (): Promise<number[]> =>
    Promise.all(
      cluster.nodes.map(async (n) => {
        const r = await n.query(
          `SELECT coalesce(sum(calls), 0)::int AS calls FROM pg_stat_statements WHERE query = '${PROBE}'`,
        );
        return Number(r[0]?.calls ?? 0);
      }),
    );

  beforeAll(async () => {
    cluster = await createCluster({
      mode: 'streaming',
      nodes: 3,
      extraConf: {
        shared_preload_libraries: "'pg_stat_statements'",
        'pg_stat_statements.track': "'top'",
        log_statement: "'all'",
      },
    });
    const p = cluster.primary;
    await p.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await p.query('CREATE TABLE lb_probe (a int)');
    await p.query('CREATE TABLE w_t (a int)');
    await p.query('INSERT INTO w_t VALUES (1)');
    await p.query('CREATE SEQUENCE w_seq');
    await p.query('CREATE UNLOGGED TABLE w_unlogged (a int)');
    await p.query(
      'CREATE FUNCTION w_volatile() RETURNS int VOLATILE LANGUAGE sql AS $$ SELECT 1 $$; ' +
        'CREATE FUNCTION w_stable() RETURNS int STABLE LANGUAGE sql AS $$ SELECT 2 $$; ' +
        'CREATE FUNCTION w_mktemp() RETURNS int VOLATILE LANGUAGE plpgsql AS ' +
        '$$ BEGIN CREATE TEMP TABLE w_fn_temp (a int); RETURN 0; END $$',
    );
    for (const n of cluster.nodes.slice(1)) {
      await waitFor(
        `${n.name} replayed the schema`,
        async () => (await n.query("SELECT to_regprocedure('w_mktemp()') IS NOT NULL AS ok"))[0]?.ok === true,
        15_000,
      );
    }
    const config = testConfig(
      cluster.nodes.map((n, i) => ({
        port: n.port,
        dataDir: n.dataDir,
        applicationName: n.name,
        weight: i === 1 ? 2 : 1,
      })),
      { num_init_children: 64, max_pool: 4 },
    );
    engine = await startEngine({
      config,
      logger: recordingLogger().logger,
      discardStatus: true,
      pcp: false,
    });
  }, 120_000);

  afterAll(async () => {
    await engine?.stop('fast');
    await cluster?.destroy();
  }, 60_000);

  it('weights 1/2/1: over 3,000 sessions each node serves its weight share (±5 points) of a plain SELECT', async () => {
    await resetStats();
    const ms = await sessions(3000, 8);
    const calls = await probeCalls();
    const total = calls.reduce((a, b) => a + b, 0);
    const share = calls.map((c) => (100 * c) / total);
    console.log(
      `3,000 sessions in ${ms} ms; pg_stat_statements calls per node ${calls.join('/')}; ` +
        `shares ${share.map((s) => s.toFixed(1)).join('/')} % (weights 25/50/25 %)`,
    );
    expect(total).toBe(3000);
    [25, 50, 25].forEach((want, i) => expect(Math.abs(share[i]! - want)).toBeLessThanOrEqual(5));
    // The router's catalogue queries on the primary during those 3,000 sessions: count() is a built-in (known
    // since start: no pg_proc query), lb_probe's persistence is asked once per database (a few at most when the
    // first sessions race), and read-only sessions never ask about temporary tables per session.
    const catalog = await cluster.primary.query(
      "SELECT coalesce(sum(calls) FILTER (WHERE query LIKE '%pg_catalog.pg_proc%'), 0)::int AS proc, " +
        "coalesce(sum(calls) FILTER (WHERE query LIKE '%relpersistence%'), 0)::int AS rel FROM pg_stat_statements",
    );
    const proc = Number(catalog[0]?.proc);
    const rel = Number(catalog[0]?.rel);
    console.log(`catalogue queries during the run: pg_proc ${proc}, relpersistence ${rel}`);
    expect(proc).toBe(0);
    expect(rel).toBeGreaterThanOrEqual(1);
    expect(rel).toBeLessThanOrEqual(8);
  }, 120_000);

  it('weights 0/1/1 (changed at runtime): no plain SELECT reaches node 0', async () => {
    await engine.setWeight(0, 0, ADMIN);
    await engine.setWeight(1, 1, ADMIN);
    await resetStats();
    await sessions(600, 8);
    const calls = await probeCalls();
    console.log(`weights 0/1/1: calls per node ${calls.join('/')}`);
    expect(calls[0]).toBe(0);
    expect(calls[1]! + calls[2]!).toBe(600);
    expect(calls[1]).toBeGreaterThan(0);
    expect(calls[2]).toBeGreaterThan(0);
  }, 120_000);

  it('writes, volatile functions, temporary and unlogged tables reach only the primary', async () => {
    // Weights are 0/1/1 now: every session's load-balance node is a standby, so a statement in the primary's log
    // was routed there on purpose.
    const primaryOnly = [
      'INSERT INTO w_t VALUES (2)',
      'UPDATE w_t SET a = a WHERE a = 2',
      'CREATE TABLE w_ddl (a int)',
      "SELECT nextval('w_seq')",
      'SELECT a FROM w_t WHERE a = 1 FOR UPDATE',
      'WITH ins AS (INSERT INTO w_t VALUES (3) RETURNING a) SELECT a FROM ins',
      'SELECT w_volatile()',
      'SELECT random() > 2 AS never',
      'SELECT count(*) FROM w_unlogged',
      'CREATE TEMP TABLE w_temp (a int)',
      'SELECT count(*) FROM w_temp',
      'SELECT w_mktemp()',
      // Created inside a function: only the catalogue lookup can know this is a temporary table.
      'SELECT count(*) FROM w_fn_temp',
    ];
    const balanced = ['SELECT w_stable()', 'SELECT now() IS NOT NULL AS stable_builtin'];
    const c = await connect();
    try {
      for (const sql of [...primaryOnly, ...balanced]) await c.query(sql);
    } finally {
      await c.end();
    }
    // Function DDL through pgwarden drops the cached volatility: the same text now goes to the primary.
    const c2 = await connect();
    try {
      await c2.query('ALTER FUNCTION w_stable() VOLATILE');
      await c2.query('SELECT w_stable() AS now_volatile');
    } finally {
      await c2.end();
    }
    primaryOnly.push('SELECT w_stable() AS now_volatile');
    const logs = await Promise.all(cluster.nodes.map((n) => readFile(n.logFile, 'utf8')));
    const seen = (sql: string) => logs.map((l) => l.includes(`statement: ${sql}\n`));
    for (const sql of primaryOnly)
      expect({ sql, nodes: seen(sql) }).toEqual({ sql, nodes: [true, false, false] });
    for (const sql of balanced) {
      const s = seen(sql);
      expect({ sql, primary: s[0], standby: s[1] || s[2] }).toEqual({ sql, primary: false, standby: true });
    }
  }, 60_000);
});
