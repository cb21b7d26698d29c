import { beforeAll, describe, expect, it } from 'vitest';
import type { PgwardenConfig } from '../config/types';
import { silentLogger } from '../runtime/logger';
import { createRouter } from './router';
import { createSessionTracking } from './session-tracking';
import { testConfig, testState } from './test-config';
import { seededRng } from './test-rng';
import type { SessionRouteContext, StatementClass } from './types';

function setup(overrides: Partial<PgwardenConfig> = {}) {
  const config = testConfig(overrides);
  const state = testState(config);
  const router = createRouter({ config, state, rng: seededRng(11), logger: silentLogger });
  const ctx: SessionRouteContext = {
    database: 'db',
    user: 'u',
    applicationName: 'psql',
    inTransaction: false,
    txWrote: false,
    sessionWrote: false,
    txFailed: false,
    serializable: false,
    loadBalanceNode: 2,
    tracking: createSessionTracking(),
  };
  const go = (sql: string, c: Partial<SessionRouteContext> = {}) => {
    const cls = router.classify(sql);
    if (cls instanceof Promise) throw new Error('unexpected async classify');
    return router.route(cls, { ...ctx, ...c }, sql);
  };
  return { config, state, router, ctx, go };
}

beforeAll(async () => {
  await createRouter({ config: testConfig(), state: testState(testConfig()), logger: silentLogger }).ready;
});

describe('streaming replication routing (reference §4.4)', () => {
  it('write → primary, session → primary + LB node, read → LB node', () => {
    const { go } = setup();
    expect(go('INSERT INTO t VALUES (1)')).toMatchObject({ targets: [0], replyFrom: 0, marksWrite: true });
    expect(go('BEGIN')).toMatchObject({ targets: [0, 2], replyFrom: 0 });
    expect(go('SET search_path = x')).toMatchObject({ targets: [0, 2], replyFrom: 0 });
    expect(go('SELECT * FROM t')).toMatchObject({
      targets: [2],
      replyFrom: 2,
      why: 'load balanced to node 2',
    });
    expect(go('SELECT 1', { loadBalanceNode: 0 })).toMatchObject({ targets: [0] });
    expect(go('BEGIN', { loadBalanceNode: 0 }).targets).toEqual([0]);
    expect(go('SET transaction_read_only = off').targets).toEqual([0]);
  });

  it('reads go to the primary for each §4.4 exception', () => {
    const { go } = setup({ primary_routing_query_pattern_list: ['SELECT \\* FROM t1\\;?', '^.*f1.*$'] });
    expect(go('SELECT * FROM pg_class').why).toMatch('system catalog');
    expect(go("SELECT nextval('s')").why).toMatch('writing function');
    expect(go('SELECT * FROM t1').why).toMatch('primary_routing_query_pattern_list');
    expect(go('select f1(a) from t').targets).toEqual([0]);
    expect(go('SELECT * FROM t', { inTransaction: true, txFailed: true }).why).toMatch('failed transaction');
    expect(go('SELECT * FROM t', { inTransaction: true, serializable: true }).why).toMatch('SERIALIZABLE');
    expect(go('SELECT * FROM t', { serializable: true }).targets).toEqual([2]);
  });

  it('load_balance_mode = off → primary', () => {
    expect(setup({ load_balance_mode: false }).go('SELECT 1')).toMatchObject({
      targets: [0],
      why: 'load_balance_mode is off: primary',
    });
  });

  it('allow_sql_comments (regression 009): a leading comment disables load balancing unless on', () => {
    const off = setup({ allow_sql_comments: false });
    expect(off.go('/* comment */SELECT 1').targets).toEqual([0]);
    expect(off.go('  SELECT 1').targets).toEqual([2]);
    expect(off.go('/* comment */SELECT 1', { overrides: { allow_sql_comments: true } }).targets).toEqual([2]);
    expect(setup({ allow_sql_comments: true }).go('/* comment */SELECT 1').targets).toEqual([2]);
    expect(setup({ ignore_leading_white_space: false }).go('  SELECT 1').targets).toEqual([0]);
  });

  it('a down or weight-0 LB node is replaced for the read', () => {
    const { go, state } = setup();
    state.setStatus(2, 'down', null);
    const r = go('SELECT 1');
    expect(r.targets).not.toEqual([2]);
    expect(r.newLoadBalanceNode).toBe(r.targets[0]);
  });

  it('statement_level_load_balance re-chooses for every read', () => {
    const { go } = setup({ statement_level_load_balance: true });
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) seen.add(go('SELECT 1').targets[0]!);
    expect([...seen].sort()).toEqual([0, 1, 2]);
    // so session statements reach every node a later read may use
    expect(go('SET search_path = x').targets).toEqual([0, 1, 2]);
  });
});

describe('disable_load_balance_on_write', () => {
  const read = 'SELECT * FROM t';
  it.each([
    // mode, context, expected target
    ['off', { inTransaction: true, txWrote: true }, 2],
    ['transaction', { inTransaction: true, txWrote: true }, 0],
    ['transaction', { inTransaction: true, txWrote: false, sessionWrote: true }, 2],
    ['transaction', { inTransaction: false, sessionWrote: true }, 2],
    ['trans_transaction', { inTransaction: true, txWrote: true }, 0],
    ['trans_transaction', { inTransaction: true, sessionWrote: true }, 0],
    ['trans_transaction', { inTransaction: true, sessionWrote: true, sessionWroteInTransaction: false }, 2],
    ['trans_transaction', { inTransaction: false, sessionWrote: true }, 2],
    ['always', { inTransaction: false, sessionWrote: true }, 0],
    ['always', { inTransaction: true, txWrote: true }, 0],
    ['always', { inTransaction: false, sessionWrote: false }, 2],
  ] as const)('%s %j → node %d', (mode, c, target) => {
    expect(setup({ disable_load_balance_on_write: mode }).go(read, c).targets).toEqual([target]);
  });

  it('dml_adaptive: only tables written in this transaction (and their relationships) go to the primary', () => {
    const { go, ctx } = setup({
      disable_load_balance_on_write: 'dml_adaptive',
      dml_adaptive_object_relationship_list: 't1:t2,f():t3',
    });
    const inTx = { inTransaction: true };
    go('BEGIN', inTx);
    expect(go('SELECT * FROM t1', inTx).targets).toEqual([2]);
    go('UPDATE t1 SET a = 1', { ...inTx, tracking: ctx.tracking });
    expect(go('SELECT * FROM t1', inTx).targets).toEqual([0]);
    expect(go('SELECT * FROM t2', inTx).why).toMatch('dml_adaptive');
    expect(go('SELECT * FROM t3', inTx).targets).toEqual([2]);
    go('INSERT INTO t4 SELECT f()', inTx);
    expect(go('SELECT * FROM t3', inTx).targets).toEqual([0]);
    go('COMMIT', inTx);
    expect(go('SELECT * FROM t1', inTx).targets).toEqual([2]);
  });
});

describe('per-session tracking', () => {
  it('EXECUTE / DEALLOCATE inherit the PREPARE (regression 071)', () => {
    const { go } = setup();
    expect(go('PREPARE r AS SELECT * FROM t').targets).toEqual([0, 1, 2]);
    expect(go('PREPARE w AS INSERT INTO t VALUES (1)').targets).toEqual([0]);
    expect(go('EXECUTE r').targets).toEqual([2]);
    expect(go('EXECUTE w').targets).toEqual([0]);
    expect(go('EXECUTE unknown').targets).toEqual([0]);
    expect(go('DEALLOCATE r').targets).toEqual([0, 1, 2]);
    expect(go('EXECUTE r').targets).toEqual([0]);
    expect(go('DEALLOCATE w').targets).toEqual([0]);
  });

  it('check_temp_table = trace remembers CREATE TEMP TABLE until DROP / DISCARD', () => {
    const { go } = setup({ check_temp_table: 'trace' });
    go('CREATE TEMP TABLE tmp1 (a int)');
    expect(go('SELECT * FROM tmp1').why).toMatch('temporary table');
    expect(go('SELECT * FROM pg_temp.tmp1').targets).toEqual([0]);
    expect(go('SELECT * FROM public.tmp1').targets).toEqual([2]);
    go('DROP TABLE tmp1');
    expect(go('SELECT * FROM tmp1').targets).toEqual([2]);
    go('CREATE TEMP TABLE tmp2 AS SELECT 1');
    expect(go('SELECT * FROM tmp2').targets).toEqual([0]);
    go('DISCARD ALL');
    expect(go('SELECT * FROM tmp2').targets).toEqual([2]);
  });
});

describe('catalogue lookups (pg_proc volatility, relpersistence)', () => {
  it("SELECT nextval('s') is a write through the volatility lookup; cached per database", async () => {
    const config = testConfig();
    const state = testState(config);
    const calls: string[][] = [];
    const router = createRouter({
      config,
      state,
      logger: silentLogger,
      volatility: {
        lookup: async (names) => {
          calls.push(names);
          return new Map(
            names
              .filter((n) => n !== 'nosuch')
              .map((n) => [n, n === 'nextval' || n === 'myvol' ? ('v' as const) : ('i' as const)]),
          );
        },
      },
    });
    await router.ready;
    const ctx = { database: 'db' };
    const first = router.classify("SELECT nextval('s')", ctx);
    expect(first).toBeInstanceOf(Promise);
    expect((await first).facts?.writingFunction).toBe(true);
    const again = router.classify("SELECT nextval('s')", ctx) as StatementClass;
    expect(again.facts?.writingFunction).toBe(true);
    expect((router.classify('SELECT abs(-1)', ctx) as Promise<StatementClass>) instanceof Promise).toBe(true);
    expect((await router.classify('SELECT abs(-1)', ctx)).facts?.writingFunction).toBeUndefined();
    expect((router.classify('SELECT abs(-2)', ctx) as StatementClass).facts?.writingFunction).toBeUndefined();
    expect((await router.classify('SELECT nosuch()', ctx)).facts?.writingFunction).toBeUndefined();
    expect(calls, JSON.stringify(calls)).toEqual([['nextval'], ['abs'], ['nosuch']]);
    expect(router.classify('SELECT 1', ctx)).not.toBeInstanceOf(Promise);
    await router.classify('SELECT abs(1)', { database: 'other' });
    expect(calls).toHaveLength(4);
  });

  it('function lists (regression 001): write_function_list and read_only_function_list', () => {
    const w = setup({ write_function_list: ['f1', 'public.f2'] });
    expect(w.go('SELECT f1()').targets).toEqual([0]);
    expect(w.go('SELECT public.f2()').targets).toEqual([0]);
    expect(w.go('SELECT F1(1)').targets).toEqual([0]);
    expect(w.go('SELECT f2()').targets).toEqual([2]);
    expect(w.go('SELECT public.f1()').targets).toEqual([0]); // a qualified call also matches its bare name
    expect(w.go('SELECT other.f2()').targets).toEqual([2]);
    expect(w.go("SELECT nextval('s')").targets).toEqual([2]);
    const r = setup({ read_only_function_list: ['f1', 'public.f2'] });
    expect(r.go('SELECT f1()').targets).toEqual([2]);
    expect(r.go('SELECT public.f2()').targets).toEqual([2]);
    expect(r.go('SELECT f3()').targets).toEqual([0]);
  });

  it('unlogged and temp relations through the relation lookup', async () => {
    const config = testConfig({ check_temp_table: 'catalog' });
    const state = testState(config);
    const router = createRouter({ config, state, logger: silentLogger });
    await router.ready;
    let asked = 0;
    const relations = {
      persistence: async (names: string[]) => {
        asked++;
        return new Map(
          names.map((n) => [
            n,
            n.startsWith('u') ? ('u' as const) : n.startsWith('tmp') ? ('t' as const) : ('p' as const),
          ]),
        );
      },
    };
    const cls = await router.classify('SELECT * FROM ulog', { database: 'db', relations });
    expect(cls.facts?.unloggedTable).toBe(true);
    const ctx: SessionRouteContext = {
      database: 'db',
      user: 'u',
      applicationName: '',
      inTransaction: false,
      txWrote: false,
      sessionWrote: false,
      txFailed: false,
      serializable: false,
      loadBalanceNode: 1,
    };
    expect(router.route(cls, ctx, 'SELECT * FROM ulog').why).toMatch('unlogged');
    expect(
      router.route(cls, { ...ctx, overrides: { check_unlogged_table: false } }, 'SELECT * FROM ulog').targets,
    ).toEqual([1]);
    const tmp = await router.classify('SELECT * FROM tmpx', { database: 'db', relations });
    expect(router.route(tmp, ctx, 'SELECT * FROM tmpx').why).toMatch('temporary');
    expect(asked).toBe(2);
  });
});

describe('native replication and raw modes (reference §4.1)', () => {
  const native = (o: Partial<PgwardenConfig> = {}) =>
    setup({ backend_clustering_mode: 'native_replication', ...o });

  it('non-reads → every valid node, main first; COMMIT others first', () => {
    const { go, state } = native();
    expect(go('INSERT INTO t VALUES (1)')).toMatchObject({ targets: [0, 1, 2], replyFrom: 0 });
    expect(go('BEGIN').targets).toEqual([0, 1, 2]);
    expect(go('COMMIT')).toMatchObject({ targets: [0, 1, 2], commitOrder: 'others_first' });
    state.setStatus(0, 'down', null);
    expect(go('UPDATE t SET a = 1')).toMatchObject({ targets: [1, 2], replyFrom: 1 });
  });

  it('reads → LB node; main node in a written transaction; all with replicate_select / writing function', () => {
    expect(native().go('SELECT * FROM t').targets).toEqual([2]);
    expect(native().go('SELECT * FROM t', { inTransaction: true, txWrote: true }).targets).toEqual([0]);
    expect(native({ replicate_select: true }).go('SELECT * FROM t').targets).toEqual([0, 1, 2]);
    expect(native().go("SELECT nextval('s')").targets).toEqual([0, 1, 2]);
    expect(native({ load_balance_mode: false }).go('SELECT 1').targets).toEqual([0]);
    expect(native().go('/*REPLICATION*/ SELECT 1').targets).toEqual([0, 1, 2]);
    expect(native({ primary_routing_query_pattern_list: ['.*'] }).go('SELECT * FROM t').targets).toEqual([2]);
  });

  it('raw mode → main node', () => {
    const { go, state } = setup({ backend_clustering_mode: 'raw' });
    expect(go('INSERT INTO t VALUES (1)').targets).toEqual([0]);
    expect(go('SELECT 1').targets).toEqual([0]);
    state.setStatus(0, 'down', null);
    expect(go('SELECT 1').targets).toEqual([1]);
  });
});

describe('hot path: reused routes', () => {
  it('the same class and nodes give the same frozen route object; other nodes or reasons a fresh one', () => {
    const { go } = setup();
    const a = go('SELECT abalance FROM pgbench_accounts WHERE aid = 1');
    const b = go('SELECT abalance FROM pgbench_accounts WHERE aid = 2');
    expect(b).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.targets)).toBe(true);
    expect(a).toEqual({ cls: a.cls, targets: [2], replyFrom: 2, why: 'load balanced to node 2' });
    const c = go('SELECT abalance FROM pgbench_accounts WHERE aid = 3', { loadBalanceNode: 1 });
    expect(c).not.toBe(a);
    expect(c).toMatchObject({ targets: [1], why: 'load balanced to node 1' });
    const inTx = go('SELECT abalance FROM pgbench_accounts WHERE aid = 3', {
      inTransaction: true,
      txWrote: true,
    });
    expect(inTx).toMatchObject({ targets: [0], why: 'read after write in transaction: primary' });
    const w1 = go('UPDATE pgbench_accounts SET abalance = 1 WHERE aid = 1');
    expect(go('UPDATE pgbench_accounts SET abalance = 2 WHERE aid = 9')).toBe(w1);
    expect(w1).toMatchObject({ targets: [0], replyFrom: 0, marksWrite: true });
    expect(go('BEGIN')).toBe(go('BEGIN'));
    expect(go('BEGIN', { loadBalanceNode: 1 }).targets).toEqual([0, 1]);
  });
});
