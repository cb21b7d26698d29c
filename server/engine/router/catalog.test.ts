import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger';
import { createClassifier, loadParser, MAX_CACHED_TEXT } from './classifier';
import { createPgProcVolatility, type CatalogClient } from './functions';
import { createRouter } from './router';
import { createSessionTracking } from './session-tracking';
import { testConfig, testState } from './test-config';
import type { SessionRouteContext, StatementClass } from './types';

beforeAll(loadParser);

describe('createPgProcVolatility', () => {
  const rows = [
    { nspname: 'pg_catalog', proname: 'nextval', provolatile: 'v', visible: true },
    { nspname: 'pg_catalog', proname: 'abs', provolatile: 'i', visible: true },
    { nspname: 'public', proname: 'f', provolatile: 's', visible: true },
    { nspname: 'public', proname: 'f', provolatile: 'v', visible: true }, // overload: the most volatile counts
    { nspname: 'other', proname: 'g', provolatile: 'v', visible: false },
    { nspname: 'public', proname: 'g', provolatile: 'i', visible: true },
  ];
  const make = () => {
    const log: Array<{ database: string; values: unknown }> = [];
    let released = 0;
    const vol = createPgProcVolatility(async (database) => {
      const client: CatalogClient = {
        query: async (text, values) => {
          expect(text).toMatch(/FROM pg_catalog\.pg_proc/);
          log.push({ database, values });
          return { rows };
        },
        release: () => {
          released++;
        },
      };
      return client;
    });
    return { vol, log, released: () => released };
  };

  it('answers by name as written (qualified → that schema, bare → visible), most volatile overload', async () => {
    const { vol, log, released } = make();
    const m = await vol.lookup(['nextval', 'abs', 'f', 'g', 'other.g', 'public.g', 'nosuch'], 'db1');
    expect(Object.fromEntries(m)).toEqual({
      nextval: 'v',
      abs: 'i',
      f: 'v',
      g: 'i',
      'other.g': 'v',
      'public.g': 'i',
    });
    expect(log).toHaveLength(1);
    expect(log[0]!.values).toEqual([['nextval', 'abs', 'f', 'g', 'nosuch']]);
    expect(released()).toBe(1);
  });

  it('caches per database and forgets on invalidate', async () => {
    const { vol, log } = make();
    await vol.lookup(['abs'], 'db1');
    await vol.lookup(['abs'], 'db1');
    expect(log).toHaveLength(1);
    await vol.lookup(['abs'], 'db2');
    expect(log).toHaveLength(2);
    vol.invalidate?.('db1');
    await vol.lookup(['abs'], 'db1');
    expect(log.map((l) => l.database)).toEqual(['db1', 'db2', 'db1']);
  });

  it('a failed lookup makes the read go to the primary (writing), and is retried next time', async () => {
    const config = testConfig();
    let fail = true;
    const router = createRouter({
      config,
      state: testState(config),
      logger: silentLogger,
      volatility: {
        lookup: async (names) => {
          if (fail) throw new Error('connection refused');
          return new Map(names.map((n) => [n, 'i' as const]));
        },
      },
    });
    expect((await router.classify('SELECT abs(1)', { database: 'd' })).facts?.writingFunction).toBe(true);
    fail = false;
    expect(
      (await router.classify('SELECT abs(1)', { database: 'd' })).facts?.writingFunction,
    ).toBeUndefined();
  });
});

describe('check_temp_table = catalog, per-session cache', () => {
  it('asks once per table per session, again after the session runs DDL', async () => {
    const config = testConfig({ check_temp_table: 'catalog', check_unlogged_table: false });
    const router = createRouter({ config, state: testState(config), logger: silentLogger });
    const asked: string[][] = [];
    const relations = {
      persistence: async (names: string[]) => {
        asked.push(names);
        return new Map(names.map((n) => [n, n === 'tmp' ? ('t' as const) : ('p' as const)]));
      },
    };
    const tracking = createSessionTracking();
    const ctx: SessionRouteContext = {
      database: 'd',
      user: 'u',
      applicationName: '',
      inTransaction: false,
      txWrote: false,
      sessionWrote: false,
      txFailed: false,
      serializable: false,
      loadBalanceNode: 1,
      tracking,
    };
    const cctx = { database: 'd', relations, tracking };
    // A session that has run nothing able to create a temporary table is not asked about.
    expect(router.classify('SELECT * FROM tmp, t', cctx)).not.toBeInstanceOf(Promise);
    expect(asked).toEqual([]);
    router.route(router.classify('UPDATE x SET a = 1') as StatementClass, ctx, 'UPDATE x SET a = 1');
    expect(tracking.mayHaveTemp).toBe(true);
    const r1 = await router.classify('SELECT * FROM tmp, t', cctx);
    expect(router.route(r1, ctx, 'SELECT * FROM tmp, t').targets).toEqual([0]);
    const r2 = router.classify('SELECT * FROM t', cctx) as StatementClass;
    expect(router.route(r2, ctx, 'SELECT * FROM t').targets).toEqual([1]);
    expect(asked).toEqual([['tmp', 't']]);
    router.route(router.classify('CREATE TEMP TABLE t (a int)') as StatementClass, ctx, '');
    await router.classify('SELECT * FROM t', cctx);
    expect(asked).toEqual([['tmp', 't'], ['t']]);
    router.route(router.classify('DISCARD ALL') as StatementClass, ctx, 'DISCARD ALL');
    expect(tracking.mayHaveTemp).toBe(false);
  });

  it('a temporary table this session created counts even before the catalogue sees it', async () => {
    const config = testConfig({ check_temp_table: 'catalog', check_unlogged_table: false });
    const router = createRouter({ config, state: testState(config), logger: silentLogger });
    await router.ready;
    const relations = { persistence: async () => new Map<string, 'p' | 'u' | 't'>() };
    const ctx: SessionRouteContext = {
      database: 'd',
      user: 'u',
      applicationName: '',
      inTransaction: false,
      txWrote: false,
      sessionWrote: false,
      txFailed: false,
      serializable: false,
      loadBalanceNode: 1,
      tracking: createSessionTracking(),
    };
    const cctx = { database: 'd', relations, tracking: ctx.tracking };
    router.route(router.classify('CREATE TEMP TABLE tt (a int)') as StatementClass, ctx, '');
    const cls = await router.classify('SELECT * FROM tt', cctx);
    expect(router.route(cls, ctx, 'SELECT * FROM tt').targets).toEqual([0]);
  });
});

describe('relation lookups shared by concurrent sessions', () => {
  it('two sessions classifying the same unknown table at once make one catalogue query', async () => {
    const c = createClassifier({
      config: testConfig({ check_unlogged_table: true, check_temp_table: 'none' }),
    });
    let calls = 0;
    const relations = {
      persistence: async (names: string[]) => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        return new Map(names.map((n) => [n, 'u' as const]));
      },
    };
    const [a, b] = await Promise.all([
      c.classify('SELECT * FROM ul', { database: 'd', relations }),
      c.classify('SELECT a FROM ul', { database: 'd', relations }),
    ]);
    expect(calls).toBe(1);
    expect(a.facts?.unloggedTable).toBe(true);
    expect(b.facts?.unloggedTable).toBe(true);
  });
});

describe('built-in function volatility loaded once', () => {
  it('decides pg_catalog calls without a lookup; user functions are looked up per database', async () => {
    const c = createClassifier({
      config: testConfig(),
      volatility: {
        lookup: async (names) => {
          asked.push(...names);
          return new Map(names.map((n) => [n, n.endsWith('vf') ? ('v' as const) : ('s' as const)]));
        },
      },
    });
    const asked: string[] = [];
    c.setBuiltins(
      new Map([
        ['count', 'i'],
        ['now', 's'],
        ['random', 'v'],
        ['nextval', 'v'],
      ]),
    );
    const sync = (sql: string) => {
      const r = c.classify(sql, { database: 'd' });
      expect(r).not.toBeInstanceOf(Promise);
      return r as StatementClass;
    };
    expect(sync('SELECT count(*), now() FROM t').facts?.writingFunction).toBeUndefined();
    expect(sync('SELECT random()').facts?.writingFunction).toBe(true);
    expect(sync("SELECT pg_catalog.nextval('s')").facts?.writingFunction).toBe(true);
    expect(asked).toEqual([]);
    expect((await c.classify('SELECT myvf(1)', { database: 'd' })).facts?.writingFunction).toBe(true);
    expect((await c.classify('SELECT public.count(1)', { database: 'd' })).facts?.writingFunction).toBe(
      undefined,
    );
    expect(asked).toEqual(['myvf', 'public.count']);
    expect(sync('SELECT myvf(2)').facts?.writingFunction).toBe(true);
    c.invalidateAll();
    await c.classify('SELECT myvf(3)', { database: 'd' });
    expect(asked).toEqual(['myvf', 'public.count', 'myvf']);
  });
});

describe('large statements', () => {
  it('a large INSERT is routed without parsing or caching; a large SELECT is parsed, not cached', () => {
    const c = createClassifier({ config: testConfig() });
    const values = Array.from({ length: 3000 }, (_, i) => `(${i}, 'x')`).join(',');
    const insert = `INSERT INTO t VALUES ${values}`;
    expect(insert.length).toBeGreaterThan(MAX_CACHED_TEXT);
    const cls = c.base(insert);
    expect(cls).toMatchObject({ kind: 'write', counter: 'insert', facts: { writtenTables: ['*'] } });
    expect(c.stats().parses).toBe(0);
    const select = `SELECT * FROM t WHERE a IN (${Array.from({ length: 4000 }, (_, i) => i).join(',')})`;
    expect(c.base(select).kind).toBe('read');
    expect(c.base(select).kind).toBe('read');
    expect(c.stats().parses).toBe(2);
  });

  it('dml_adaptive treats an unparsed bulk write as writing every table', async () => {
    const config = testConfig({ disable_load_balance_on_write: 'dml_adaptive' });
    const router = createRouter({ config, state: testState(config), logger: silentLogger });
    await router.ready;
    const ctx: SessionRouteContext = {
      database: 'd',
      user: 'u',
      applicationName: '',
      inTransaction: true,
      txWrote: false,
      sessionWrote: false,
      txFailed: false,
      serializable: false,
      loadBalanceNode: 1,
      tracking: createSessionTracking(),
    };
    const big = `INSERT INTO a VALUES ${Array.from({ length: 3000 }, (_, i) => `(${i})`).join(',')}`;
    router.route(router.classify(big) as StatementClass, ctx, big);
    expect(
      router.route(router.classify('SELECT * FROM b') as StatementClass, ctx, 'SELECT * FROM b').targets,
    ).toEqual([0]);
  });
});

describe('native replication PREPARE / EXECUTE', () => {
  it('PREPARE of a read on every node, EXECUTE load balanced; PREPARE of a write and its EXECUTE on every node', async () => {
    const config = testConfig({ backend_clustering_mode: 'native_replication' });
    const router = createRouter({ config, state: testState(config), logger: silentLogger });
    await router.ready;
    const ctx: SessionRouteContext = {
      database: 'd',
      user: 'u',
      applicationName: '',
      inTransaction: false,
      txWrote: false,
      sessionWrote: false,
      txFailed: false,
      serializable: false,
      loadBalanceNode: 2,
      tracking: createSessionTracking(),
    };
    const go = (sql: string) => router.route(router.classify(sql) as StatementClass, ctx, sql).targets;
    expect(go('PREPARE r AS SELECT 1')).toEqual([0, 1, 2]);
    expect(go('EXECUTE r')).toEqual([2]);
    expect(go('PREPARE w AS UPDATE t SET a = 1')).toEqual([0, 1, 2]);
    expect(go('EXECUTE w')).toEqual([0, 1, 2]);
  });
});

describe('createRelationLookup', () => {
  it('re-quotes names for to_regclass and maps relpersistence', async () => {
    const { createRelationLookup, regclassText } = await import('./relations');
    expect(regclassText('s.Foo')).toBe('"s"."Foo"');
    expect(regclassText('we"ird')).toBe('"we""ird"');
    let params: unknown[] = [];
    const lookup = createRelationLookup(async (_sql, p) => {
      params = p;
      return [
        { name: 'tmp', relpersistence: 't' },
        { name: 's.Foo', relpersistence: 'u' },
        { name: 'missing', relpersistence: null },
      ];
    });
    const m = await lookup.persistence(['tmp', 's.Foo', 'missing']);
    expect(params).toEqual([
      ['tmp', 's.Foo', 'missing'],
      ['"tmp"', '"s"."Foo"', '"missing"'],
    ]);
    expect(Object.fromEntries(m)).toEqual({ tmp: 't', 's.Foo': 'u' });
  });
});

describe('catalogue answers follow the primary', () => {
  it('primary_changed / config_reloaded drop built-in and cached volatility; lookups then go to the catalogue', async () => {
    const config = testConfig(); // backends on localhost:11002.., where nothing listens: every lookup fails fast
    const state = testState(config);
    const router = createRouter({
      config,
      state,
      logger: silentLogger,
      catalog: { builtinsTimeoutMs: 3000 },
    });
    await router.ready;
    router.classifier.setBuiltins(new Map([['now', 's' as const]]));
    const before = router.classify('SELECT now()', { database: 'd' }) as StatementClass;
    expect(before).not.toBeInstanceOf(Promise);
    expect(before.facts?.writingFunction).toBeUndefined();
    for (const kind of ['primary_changed', 'config_reloaded'] as const) {
      router.classifier.setBuiltins(new Map([['now', 's' as const]]));
      state.emit({ kind, nodeId: null, summary: 'test', reason: null, outcome: 'ok' });
      const after = router.classify('SELECT now()', { database: 'd' });
      expect(after).toBeInstanceOf(Promise);
      // The catalogue cannot answer here: the call is treated as writing (primary), never guessed read-only.
      expect((await after).facts?.writingFunction).toBe(true);
    }
    state.emit({ kind: 'engine_stopping', nodeId: null, summary: 'test', reason: null, outcome: 'info' });
  });
});
