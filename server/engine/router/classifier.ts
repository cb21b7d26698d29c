/**
 * classify(sql): admin statements and certain cases lexically (lexer.ts), everything else with PostgreSQL's own parser
 * (libpg-query, WASM), cached by statement text in a bounded LRU so the parser stays off the hot path. The cached class
 * is context-free; per-database facts (writing functions via pg_proc, unlogged/temp relations) are layered on top by
 * `resolve`, synchronously when the answers are cached, as a Promise only when a catalogue lookup is needed.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { PgwardenConfig } from '../config/types';
import type { Logger } from '../runtime/logger';
import { isObject } from './ast-facts';
import { classifyStatement } from './classify-stmt';
import {
  BUILTIN_WRITING_FUNCTIONS,
  createFunctionPolicy,
  type FunctionPolicy,
  type Volatility,
} from './functions';
import { classCacheKey } from './cache-key';
import { detectAdmin, fastClassify, skipSpaceAndComments } from './lexer';
import { LruCache } from './lru';
import type { ClassifyContext, FunctionVolatility, RelationLookup, StatementClass } from './types';

export const DEFAULT_CACHE_SIZE = 10_000;
/** Longer statement texts are not cached, so the cache stays bounded in bytes too (10,000 × 16 KiB at most). */
export const MAX_CACHED_TEXT = 16 * 1024;

/**
 * A text that starts with INSERT/UPDATE/DELETE/MERGE goes to the primary whatever follows (a single DML, a
 * multi-statement string or unparseable text are all primary-only); the written tables are unknown ('*': dml_adaptive
 * then treats every table as written).
 */
function bigWrite(sql: string): StatementClass | undefined {
  const start = skipSpaceAndComments(sql);
  const m = /^(insert|update|delete|merge)\s/i.exec(sql.slice(start, start + 8));
  if (!m) return undefined;
  const verb = m[1]!.toLowerCase();
  return {
    kind: 'write',
    counter: verb === 'merge' ? 'other' : (verb as 'insert' | 'update' | 'delete'),
    txEffect: 'none',
    tables: [],
    functions: [],
    why: `${verb.toUpperCase()} (large statement, not parsed): primary`,
    facts: { marksWrite: true, writtenTables: ['*'] },
  };
}

let moduleReady: Promise<void> | null = null;
let moduleLoaded = false;

export function isParserLoaded(): boolean {
  return moduleLoaded;
}

/** Loads the parser's WASM module once; must resolve before the first uncached classify (createRouter awaits it). */
export async function loadParser(): Promise<void> {
  moduleReady ??= loadModule().then(() => {
    moduleLoaded = true;
  });
  return moduleReady;
}

export interface ClassifierStats {
  cacheHits: number;
  cacheMisses: number;
  parses: number;
  fastPath: number;
}

export interface Classifier {
  classify(sql: string, ctx?: ClassifyContext): StatementClass | Promise<StatementClass>;
  /** The context-free class (no function volatility / relation lookups). */
  base(sql: string): StatementClass;
  /** DDL seen in a database: forget function volatility and relation persistence cached for it. */
  invalidate(database: string, what: { functions?: boolean; tables?: string[] }): void;
  /** Failover / reload: forget every catalogue answer (function volatility, relation persistence). */
  invalidateAll(): void;
  /**
   * pg_catalog function volatility, loaded once from the primary: calls of built-in functions are then decided
   * without a lookup (null: not loaded, every function is looked up per database).
   */
  setBuiltins(builtins: ReadonlyMap<string, Volatility> | null): void;
  stats(): ClassifierStats;
}

export interface ClassifierOptions {
  config: Pick<
    PgwardenConfig,
    | 'read_only_function_list'
    | 'write_function_list'
    | 'check_temp_table'
    | 'check_unlogged_table'
    | 'backend_clustering_mode'
  >;
  volatility?: FunctionVolatility;
  /** Relation persistence lookup used when the ClassifyContext brings none (the router's catalogue connection). */
  relationsFor?: (database: string) => RelationLookup;
  logger?: Logger;
  cacheSize?: number;
}

/** Per-database catalogue answers kept (function names, relation names); a database over it starts afresh. */
export const CATALOG_CACHE_LIMIT = 10_000;

function perDatabase<V>(all: Map<string, Map<string, V>>, database: string, adding = 0): Map<string, V> {
  let db = all.get(database);
  if (!db) all.set(database, (db = new Map<string, V>()));
  else if (db.size + adding > CATALOG_CACHE_LIMIT) db.clear();
  return db;
}

function unparseable(message: string): StatementClass {
  return {
    kind: 'write',
    counter: 'other',
    txEffect: 'none',
    tables: [],
    functions: [],
    why: `unparseable query (${message}): primary`,
  };
}

/** An empty query (or only comments / semicolons): PostgreSQL answers EmptyQueryResponse; the primary is enough. */
function emptyQuery(): StatementClass {
  return {
    kind: 'write',
    counter: 'other',
    txEffect: 'none',
    tables: [],
    functions: [],
    why: 'empty query: primary',
  };
}

/**
 * Raw mode: every statement goes to the main node, so only the counters (SHOW pool_backend_stats) need a class;
 * they come from the first keyword. Transaction control was already recognised by the fast path.
 */
function rawClass(sql: string): StatementClass {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
  const counter: StatementClass['counter'] =
    word === 'select' || word === 'insert' || word === 'update' || word === 'delete'
      ? word
      : word === 'create' || word === 'alter' || word === 'drop'
        ? 'ddl'
        : 'other';
  return { kind: 'write', counter, txEffect: 'none', tables: [], functions: [], why: 'raw mode: main node' };
}

/** Parses and classifies; exported for tests that compare the fast path with the parser. */
export function classifyWithParser(sql: string): StatementClass {
  if (!moduleLoaded) throw new Error('libpg-query not loaded: await loadParser() first');
  if (/^[\s;]*$/.test(sql)) return emptyQuery();
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch (e) {
    return unparseable(e instanceof Error ? e.message : String(e));
  }
  const stmts = isObject(tree) && Array.isArray(tree.stmts) ? tree.stmts : [];
  const nodes = stmts.map((s: unknown) => (isObject(s) && isObject(s.stmt) ? s.stmt : {}));
  if (nodes.length === 0) return emptyQuery();
  if (nodes.length === 1) return classifyStatement(nodes[0]!);
  const parts = nodes.map((n) => classifyStatement(n));
  return {
    kind: 'write',
    counter: 'other',
    txEffect: 'none',
    tables: [...new Set(parts.flatMap((p) => p.tables))],
    functions: [...new Set(parts.flatMap((p) => p.functions))],
    why: `multi-statement query (${parts.length} statements): primary`,
    facts: { multiStatement: true, marksWrite: parts.some((p) => p.facts?.marksWrite === true) },
  };
}

export function createClassifier(opts: ClassifierOptions): Classifier {
  const { config, volatility, logger } = opts;
  const cache = new LruCache<string, StatementClass>(opts.cacheSize ?? DEFAULT_CACHE_SIZE);
  const policy: FunctionPolicy = createFunctionPolicy(
    config.read_only_function_list,
    config.write_function_list,
    logger,
  );
  const vol = new Map<string, Map<string, Volatility | null>>();
  const unlogged = new Map<string, Map<string, boolean>>();
  let builtins: ReadonlyMap<string, Volatility> | null = null;
  // A failing catalogue (wrong sr_check_user, primary gone) must not log once per statement.
  const lastWarned = new Map<string, number>();
  const warnSometimes = (message: string, meta: Record<string, unknown>): void => {
    const now = Date.now();
    if (now - (lastWarned.get(message) ?? 0) < 10_000) return;
    lastWarned.set(message, now);
    logger?.warn(message, meta);
  };
  let parses = 0;
  let fastPath = 0;
  // Raw mode sends everything to one node (reference §4.4 does not apply): the parser is never needed.
  const rawMode = config.backend_clustering_mode === 'raw';

  const base = (sql: string): StatementClass => {
    if (rawMode && sql.length > MAX_CACHED_TEXT) return rawClass(sql);
    if (sql.length > MAX_CACHED_TEXT) {
      // Bulk statements (multi-row INSERT, generated SQL): not cached (memory); a leading DML verb settles routing.
      const big = bigWrite(sql);
      if (big) return big;
      parses++;
      return classifyWithParser(sql);
    }
    const key = classCacheKey(sql);
    const hit = cache.get(key);
    if (hit) return hit;
    let cls: StatementClass | undefined;
    const admin = detectAdmin(sql);
    if (admin) {
      cls = {
        kind: 'read',
        counter: 'other',
        txEffect: 'none',
        tables: [],
        functions: [],
        why: 'pgpool admin command',
        admin,
      };
    } else {
      cls = fastClassify(sql);
      if (cls) fastPath++;
      else if (rawMode) cls = rawClass(sql);
      else {
        parses++;
        cls = classifyWithParser(sql);
      }
    }
    cache.set(key, cls);
    return cls;
  };

  /** Writing status of every function, or the names still unknown to the pg_proc cache of `database`. */
  const functionsWriting = (fns: string[], database: string | undefined): boolean | string[] => {
    if (policy.mode !== 'catalog') return fns.some((f) => policy.isWriting(f) === true);
    if (!volatility || database === undefined) {
      return fns.some((f) => BUILTIN_WRITING_FUNCTIONS.has(f.slice(f.lastIndexOf('.') + 1).toLowerCase()));
    }
    const known = vol.get(database);
    const unknown: string[] = [];
    let writing = false;
    for (const f of fns) {
      if (builtins) {
        // Unqualified names resolve to pg_catalog first (it leads every search_path unless placed later).
        const dot = f.lastIndexOf('.');
        const schema = dot >= 0 ? f.slice(0, dot) : '';
        if (schema === '' || schema === 'pg_catalog') {
          const b = builtins.get(f.slice(dot + 1));
          if (b !== undefined) {
            if (b === 'v') writing = true;
            continue;
          }
          if (schema === 'pg_catalog') continue; // no such function: PostgreSQL will reject the call
        }
      }
      const v = known?.get(f);
      if (v === undefined) unknown.push(f);
      else if (v === 'v') writing = true;
    }
    return writing || unknown.length === 0 ? writing : unknown;
  };

  /** One catalogue query per unknown name at a time: concurrent sessions asking for the same name share it. */
  const pending = new Map<string, Promise<void>>();
  const lookupVolatility = (names: string[], database: string): Promise<void> => {
    const waits: Promise<void>[] = [];
    const ask: string[] = [];
    for (const n of names) {
      const p = pending.get(`${database}\0${n}`);
      if (p) waits.push(p);
      else ask.push(n);
    }
    if (ask.length > 0 && volatility) {
      const p = volatility.lookup(ask, database).then((found) => {
        const known = perDatabase(vol, database, ask.length);
        for (const f of ask) known.set(f, found.get(f) ?? null);
      });
      const done = p.finally(() => {
        for (const n of ask) pending.delete(`${database}\0${n}`);
      });
      for (const n of ask) pending.set(`${database}\0${n}`, done);
      waits.push(done);
    }
    return Promise.all(waits).then(() => undefined);
  };

  /** Concurrent sessions asking the same lookup for the same names share one catalogue query. */
  const pendingRel = new WeakMap<RelationLookup, Map<string, Promise<Map<string, 'p' | 'u' | 't'>>>>();
  const persistence = (
    relations: RelationLookup,
    database: string,
    names: string[],
  ): Promise<Map<string, 'p' | 'u' | 't'>> => {
    let byKey = pendingRel.get(relations);
    if (!byKey) pendingRel.set(relations, (byKey = new Map<string, Promise<Map<string, 'p' | 'u' | 't'>>>()));
    const key = `${database}\0${names.join('\0')}`;
    const running = byKey.get(key);
    if (running) return running;
    const p = relations.persistence(names).finally(() => byKey.delete(key));
    byKey.set(key, p);
    return p;
  };

  const withFacts = (cls: StatementClass, facts: NonNullable<StatementClass['facts']>): StatementClass => ({
    ...cls,
    facts: { ...cls.facts, ...facts },
  });

  /**
   * check_unlogged_table: relpersistence 'u' cached per database (a table's persistence changes only by DDL, which
   * invalidates it). check_temp_table=catalog: 't' cached per session in its tracking (route() clears it when the
   * session runs DDL, DISCARD, DO/CALL or calls functions, the ways a temp table can appear); without tracking, asked
   * for every statement, as pgpool does.
   */
  const resolveRelations = (
    cls: StatementClass,
    ctx: ClassifyContext,
  ): StatementClass | Promise<StatementClass> => {
    // A session can only see a temporary table it created: one that has run nothing able to create one (DDL, a
    // write, DO/CALL, a writing function; route.ts sets mayHaveTemp) skips the temporary-table lookup.
    const wantTemp = config.check_temp_table === 'catalog' && ctx.tracking?.mayHaveTemp !== false;
    const wantUnlogged = config.check_unlogged_table;
    const relations = ctx.relations ?? opts.relationsFor?.(ctx.database);
    if (!relations || cls.tables.length === 0 || (!wantTemp && !wantUnlogged)) return cls;
    const db = perDatabase(unlogged, ctx.database, cls.tables.length);
    const temps = ctx.tracking?.catalogTemp;
    // Hot path (every read with tables): one pass, no allocation when every answer is cached.
    let unknown: string[] | null = null;
    let knownTemp = false;
    let knownUnlogged = false;
    for (const t of cls.tables) {
      const u = wantUnlogged ? db.get(t) : false;
      const tt = wantTemp ? temps?.get(t) : false;
      if (u === undefined || tt === undefined) (unknown ??= []).push(t);
      else {
        if (u) knownUnlogged = true;
        if (tt) knownTemp = true;
      }
    }
    if (unknown === null) {
      return knownTemp || knownUnlogged
        ? withFacts(cls, { tempTable: knownTemp, unloggedTable: knownUnlogged })
        : cls;
    }
    const asked = unknown;
    const facts = (): StatementClass => {
      const temp = wantTemp && cls.tables.some((t) => temps?.get(t) === true);
      const unl = wantUnlogged && cls.tables.some((t) => db.get(t) === true);
      return temp || unl ? withFacts(cls, { tempTable: temp, unloggedTable: unl }) : cls;
    };
    return persistence(relations, ctx.database, asked).then(
      (found) => {
        for (const t of asked) {
          db.set(t, found.get(t) === 'u');
          temps?.set(t, found.get(t) === 't');
        }
        if (temps) return facts();
        const temp = wantTemp && cls.tables.some((t) => found.get(t) === 't');
        const unl = wantUnlogged && cls.tables.some((t) => db.get(t) === true);
        return temp || unl ? withFacts(cls, { tempTable: temp, unloggedTable: unl }) : cls;
      },
      (e: unknown) => {
        warnSometimes('relation persistence lookup failed: reading from the primary', { error: String(e) });
        return withFacts(cls, { tempTable: wantTemp, unloggedTable: wantUnlogged });
      },
    );
  };

  const resolve = (cls: StatementClass, ctx?: ClassifyContext): StatementClass | Promise<StatementClass> => {
    // Only reads need these facts: writes already go to the primary (or every node in native replication).
    if (cls.kind !== 'read' || cls.admin) return cls;
    let out = cls;
    if (cls.functions.length > 0) {
      const w = functionsWriting(cls.functions, ctx?.database);
      if (Array.isArray(w)) {
        const database = ctx!.database;
        return lookupVolatility(w, database).then(
          () => resolve(cls, ctx),
          (e: unknown) => {
            warnSometimes('pg_proc volatility lookup failed: treating the functions as writing', {
              error: String(e),
              functions: w,
            });
            return withFacts(cls, { writingFunction: true });
          },
        );
      }
      if (w) out = withFacts(cls, { writingFunction: true });
    }
    return ctx && !out.facts?.writingFunction && !out.facts?.systemCatalog ? resolveRelations(out, ctx) : out;
  };

  return {
    base,
    classify: (sql, ctx) => resolve(base(sql), ctx),
    invalidate(database, what) {
      if (what.functions) {
        vol.delete(database);
        volatility?.invalidate?.(database);
      }
      const db = unlogged.get(database);
      for (const t of what.tables ?? []) db?.delete(t);
    },
    invalidateAll() {
      vol.clear();
      unlogged.clear();
      volatility?.invalidate?.();
    },
    setBuiltins(b) {
      builtins = b;
    },
    stats: () => ({ cacheHits: cache.hits, cacheMisses: cache.misses, parses, fastPath }),
  };
}
