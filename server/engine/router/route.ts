/**
 * route(cls, ctx, sql): where one classified statement goes for this session right now.
 *  - streaming / logical (pgpool SL mode, reference §4.4): write → primary; session → primary + LB node; read → LB
 *    node unless one of the §4.4 "none of" conditions sends it to the primary.
 *  - native replication / snapshot isolation (§4.1): non-read → every valid node, main node first, reply from main;
 *    read → LB node, main node in a written/failed/serializable transaction, every node with replicate_select or a
 *    writing function.
 *  - raw: everything to the main node.
 */
import type { PgwardenConfig } from '../config/types';
import type { ClusterState } from '../state/cluster-state';
import { isLagging, lagReason } from './eligibility';
import { noteWritten, wroteAny, bareName, type SessionTracking } from './session-tracking';
import type { SessionRouteContext, StatementClass, StatementRoute } from './types';

export interface RouteDeps {
  state: ClusterState;
  config: PgwardenConfig;
  /** Compiled primary_routing_query_pattern_list. */
  primaryPatterns: RegExp[];
  relationships: Map<string, string[]>;
  /** A fresh weighted choice for this session (statement_level_load_balance, LB node gone). */
  choose(ctx: SessionRouteContext): { node: number; why: string };
  /** DDL seen: invalidate catalogue caches for the database. */
  invalidate(database: string, what: { functions?: boolean; tables?: string[] }): void;
}

/** pgpool `is_select_query` with allow_sql_comments=off: the text must start with s|S|(|w|W|t|T (or be empty). */
function passesFirstCharRule(sql: string, ignoreLeadingWhiteSpace: boolean): boolean {
  const text = ignoreLeadingWhiteSpace ? sql.trimStart() : sql;
  return text === '' || /^[sS(wWtT;]/.test(text);
}

/** The reason the session's transaction state forbids load balancing, or null (reference §4.4 disable_load_balance_on_write). */
function writeStateReason(
  cls: StatementClass,
  ctx: SessionRouteContext,
  config: PgwardenConfig,
): string | null {
  if (ctx.inTransaction && ctx.txFailed) return 'failed transaction';
  if (ctx.inTransaction && ctx.serializable) return 'SERIALIZABLE transaction';
  switch (config.disable_load_balance_on_write) {
    case 'off':
      return null;
    case 'transaction':
      return ctx.inTransaction && ctx.txWrote ? 'read after write in transaction' : null;
    case 'trans_transaction':
      if (!ctx.inTransaction) return null;
      if (ctx.txWrote) return 'read after write in transaction';
      return (ctx.sessionWroteInTransaction ?? ctx.sessionWrote)
        ? 'read in a transaction after a writing transaction (trans_transaction)'
        : null;
    case 'always':
      return ctx.sessionWrote || ctx.txWrote ? 'read after write in session (always)' : null;
    case 'dml_adaptive': {
      if (!ctx.inTransaction) return null;
      // Without tracking the router cannot tell tables apart: behave like 'transaction'.
      if (!ctx.tracking) return ctx.txWrote ? 'read after write in transaction' : null;
      const objects = [...cls.tables, ...cls.functions.map((f) => `${f}()`)];
      return wroteAny(ctx.tracking, objects)
        ? 'reads a table written in this transaction (dml_adaptive)'
        : null;
    }
  }
}

function isTemp(cls: StatementClass, ctx: SessionRouteContext, config: PgwardenConfig): boolean {
  if (config.check_temp_table === 'catalog' && cls.facts?.tempTable === true) return true;
  // catalog mode also honours the names this session created: a temporary table created in a still-open
  // transaction is not visible to the router's catalogue connection yet.
  if (config.check_temp_table === 'none' || !ctx.tracking) return false;
  const temp = ctx.tracking.tempTables;
  if (temp.size === 0) return false;
  return cls.tables.some((t) => {
    const schema = t.includes('.') ? t.slice(0, t.lastIndexOf('.')).toLowerCase() : '';
    return (schema === '' || schema === 'pg_temp' || schema.startsWith('pg_temp_')) && temp.has(bareName(t));
  });
}

/** Remember PREPARE targets, temp tables, dml_adaptive writes; forget them at DEALLOCATE / DROP / DISCARD / tx end. */
function track(cls: StatementClass, ctx: SessionRouteContext, deps: RouteDeps): void {
  const f = cls.facts;
  if (f?.changesFunctions || cls.counter === 'ddl') {
    deps.invalidate(ctx.database, { functions: f?.changesFunctions === true, tables: cls.tables });
  }
  const t: SessionTracking | undefined = ctx.tracking;
  if (!t) return;
  if (f?.prepareName) t.prepared.set(f.prepareName, { loadBalanceable: cls.kind === 'read' });
  if (f?.deallocateName === '*') t.prepared.clear();
  else if (f?.deallocateName) t.prepared.delete(f.deallocateName);
  for (const name of f?.createsTempTables ?? []) t.tempTables.add(bareName(name));
  for (const name of f?.dropsTables ?? []) t.tempTables.delete(bareName(name));
  if (f?.discard === 'all' || f?.discard === 'temp') t.tempTables.clear();
  // Ways a temporary table can appear or vanish: forget the check_temp_table=catalog answers.
  if (
    cls.counter === 'ddl' ||
    f?.discard ||
    f?.writingFunction ||
    (cls.kind === 'write' && cls.functions.length > 0) ||
    doOrCall(cls)
  )
    t.catalogTemp.clear();
  if (cls.kind === 'write' || cls.counter === 'ddl' || f?.writingFunction || doOrCall(cls))
    t.mayHaveTemp = true;
  if (f?.discard === 'all' || f?.discard === 'temp') t.mayHaveTemp = t.tempTables.size > 0;
  if (f?.discard === 'all') t.prepared.clear();
  if (ctx.inTransaction && (f?.marksWrite || f?.writingFunction)) {
    noteWritten(t, [...(f.writtenTables ?? []), ...cls.functions.map((fn) => `${fn}()`)], deps.relationships);
  }
  if (cls.txEffect !== 'none' && cls.txEffect !== 'begin') t.txWrittenObjects.clear();
}

/**
 * Route objects reused for the common outcomes (a read load balanced to its session's node, a write to the primary,
 * a session statement to primary + LB node, raw mode), so that the hot path allocates no route, no targets array and
 * no reason string per statement. Keyed by the (cached, shared) statement class, then by the outcome and node ids;
 * what they hold depends on nothing else. Frozen: the session only reads a route.
 */
const reused = new WeakMap<StatementClass, Map<number, StatementRoute>>();
const enum Outcome {
  LoadBalanced = 1,
  Primary = 2,
  Session = 3,
  Raw = 4,
  NativeLoadBalanced = 5,
}
/** A Map key for an outcome and up to two node ids (-1 allowed; pgpool has at most 128 backends). */
function outcomeKey(outcome: Outcome, a: number, b = -1): number {
  return outcome * 0x10000 + (a + 1) * 0x100 + (b + 1);
}
function reusedRoute(cls: StatementClass, key: number): StatementRoute | undefined {
  return reused.get(cls)?.get(key);
}
function keepRoute(cls: StatementClass, key: number, r: StatementRoute): StatementRoute {
  let m = reused.get(cls);
  if (!m) reused.set(cls, (m = new Map<number, StatementRoute>()));
  Object.freeze(r.targets);
  m.set(key, Object.freeze(r));
  return r;
}

/** DO / CALL (classify-stmt.ts reasons "Do: ..." / "Call: ..."). */
function doOrCall(cls: StatementClass): boolean {
  return cls.why.startsWith('Do: ') || cls.why.startsWith('Call: ');
}

function toPrimary(
  base: Pick<StatementRoute, 'cls' | 'marksWrite'>,
  primary: number,
  why: string,
): StatementRoute {
  return { ...base, targets: uniq([primary]), replyFrom: primary, why };
}

function uniq(ids: number[]): number[] {
  return ids.filter((id, i) => id >= 0 && ids.indexOf(id) === i);
}

export function route(
  cls: StatementClass,
  ctx: SessionRouteContext,
  sql: string,
  deps: RouteDeps,
): StatementRoute {
  const { state } = deps;
  const prepared = cls.facts?.executeName ? ctx.tracking?.prepared.get(cls.facts.executeName) : undefined;
  const dealloc = cls.facts?.deallocateName;
  const deallocEverywhere =
    dealloc === '*' ||
    (dealloc !== undefined && ctx.tracking?.prepared.get(dealloc)?.loadBalanceable === true);
  track(cls, ctx, deps);
  const marksWrite = cls.facts?.marksWrite === true || cls.facts?.writingFunction === true;
  const base: Pick<StatementRoute, 'cls' | 'marksWrite'> = marksWrite ? { cls, marksWrite } : { cls };

  if (state.mode === 'raw') {
    const main = state.mainNodeId;
    const key = outcomeKey(Outcome.Raw, main);
    return (
      reusedRoute(cls, key) ??
      keepRoute(cls, key, { ...base, targets: uniq([main]), replyFrom: main, why: 'raw mode: main node' })
    );
  }
  const native = state.mode === 'native_replication' || state.mode === 'snapshot_isolation';
  const primary = native ? state.mainNodeId : state.effectivePrimaryId;
  const onPrimary = (why: string): StatementRoute => toPrimary(base, primary, why);

  // SQL PREPARE of a read goes to every valid node so that EXECUTE can follow the LB node wherever it moves
  // (pgpool sends it to the LB node only; statement_level_load_balance would then EXECUTE where it is not prepared).
  if (cls.facts?.prepareName && cls.kind === 'read') {
    const all = uniq([primary, ...state.validNodeIds()]);
    return { ...base, targets: all, replyFrom: primary, why: `${cls.why} (prepared on every node)` };
  }
  if (deallocEverywhere) {
    return {
      ...base,
      targets: uniq([primary, ...state.validNodeIds()]),
      replyFrom: primary,
      why: 'DEALLOCATE: every node that may hold it',
    };
  }
  const effective: StatementClass = prepared?.loadBalanceable
    ? { ...cls, kind: 'read', why: `EXECUTE of a load-balanceable PREPARE` }
    : cls;
  if (native) return routeReplication(effective, ctx, sql, deps, base);

  if (effective.kind === 'write') {
    // effective === cls here (only a read PREPARE makes a different class)
    const key = outcomeKey(Outcome.Primary, primary);
    return reusedRoute(cls, key) ?? keepRoute(cls, key, onPrimary(effective.why));
  }
  if (effective.kind === 'session') {
    // With statement_level_load_balance any node may serve the next read, so BEGIN/SET/... must reach them all.
    if (deps.config.statement_level_load_balance) {
      const all = uniq([primary, ...state.validNodeIds()]);
      return {
        ...base,
        targets: all,
        replyFrom: primary,
        why: `${effective.why} (every node: statement_level_load_balance)`,
      };
    }
    const lb = state.isValid(ctx.loadBalanceNode) ? ctx.loadBalanceNode : -1;
    const key = outcomeKey(Outcome.Session, primary, lb);
    return (
      reusedRoute(cls, key) ??
      keepRoute(cls, key, { ...base, targets: uniq([primary, lb]), replyFrom: primary, why: effective.why })
    );
  }
  return routeRead(effective, ctx, sql, deps, primary, base);
}

function routeRead(
  cls: StatementClass,
  ctx: SessionRouteContext,
  sql: string,
  deps: RouteDeps,
  primary: number,
  base: Pick<StatementRoute, 'cls' | 'marksWrite'>,
): StatementRoute {
  const { state, config } = deps;
  const onPrimary = (why: string): StatementRoute => toPrimary(base, primary, `${why}: primary`);
  const allowComments = ctx.overrides?.allow_sql_comments ?? config.allow_sql_comments;
  const checkUnlogged = ctx.overrides?.check_unlogged_table ?? config.check_unlogged_table;

  if (!config.load_balance_mode) return onPrimary('load_balance_mode is off');
  if (
    !allowComments &&
    cls.facts?.selectStmt &&
    !passesFirstCharRule(sql, config.ignore_leading_white_space)
  ) {
    return onPrimary('SELECT not at the start of the text (allow_sql_comments = off)');
  }
  const txReason = writeStateReason(cls, ctx, config);
  if (txReason) return onPrimary(txReason);

  let lb = ctx.loadBalanceNode;
  let newLb: number | undefined;
  let chooseWhy = '';
  const lbNode = state.nodes[lb];
  if (config.statement_level_load_balance || !lbNode || !state.isValid(lb) || lbNode.weight <= 0) {
    const c = deps.choose(ctx);
    if (c.node !== lb) newLb = c.node;
    lb = c.node;
    chooseWhy = config.statement_level_load_balance
      ? ' (statement_level_load_balance)'
      : ` (re-chosen: ${c.why})`;
  }
  const chosen = state.nodes[lb];
  const lag = chosen && lb !== primary ? lagReason(state, chosen, config) : null;
  if (lag) {
    if (!config.prefer_lower_delay_standby) return onPrimary(`load-balance node ${lb} is ${lag}`);
    const better = leastDelayedStandby(deps, primary);
    if (better === undefined)
      return onPrimary(`load-balance node ${lb} lags and no standby is within delay_threshold`);
    newLb = better;
    lb = better;
    chooseWhy = ` (prefer_lower_delay_standby: least-delayed standby)`;
  }
  const f = cls.facts;
  if (f?.writingFunction) return onPrimary(`writing function called (${cls.functions.join(', ')})`);
  if (f?.systemCatalog) return onPrimary('system catalog referenced');
  if (isTemp(cls, ctx, config)) return onPrimary('temporary table referenced');
  if (checkUnlogged && f?.unloggedTable) return onPrimary('unlogged table referenced');
  const pattern =
    deps.primaryPatterns.length > 0 ? deps.primaryPatterns.find((re) => re.test(sql)) : undefined;
  if (pattern) return onPrimary(`matches primary_routing_query_pattern_list ${pattern.source}`);
  if (lb < 0) return onPrimary('no load-balance node');
  if (newLb === undefined && chooseWhy === '') {
    const key = outcomeKey(Outcome.LoadBalanced, lb);
    return (
      reusedRoute(base.cls, key) ??
      keepRoute(base.cls, key, { ...base, targets: [lb], replyFrom: lb, why: `load balanced to node ${lb}` })
    );
  }
  return {
    ...base,
    targets: [lb],
    replyFrom: lb,
    why: `load balanced to node ${lb}${chooseWhy}`,
    ...(newLb !== undefined ? { newLoadBalanceNode: newLb } : {}),
  };
}

/** prefer_lower_delay_standby: the valid, weighted, non-lagging standby with the lowest delay. */
function leastDelayedStandby(deps: RouteDeps, primary: number): number | undefined {
  const { state, config } = deps;
  const candidates = state.nodes.filter(
    (n) => n.id !== primary && state.isValid(n.id) && n.weight > 0 && !isLagging(state, n, config),
  );
  candidates.sort(
    (a, b) =>
      a.replicationDelayBytes - b.replicationDelayBytes ||
      (a.replicationDelaySeconds ?? 0) - (b.replicationDelaySeconds ?? 0),
  );
  return candidates[0]?.id;
}

function routeReplication(
  cls: StatementClass,
  ctx: SessionRouteContext,
  sql: string,
  deps: RouteDeps,
  base: Pick<StatementRoute, 'cls' | 'marksWrite'>,
): StatementRoute {
  const { state, config } = deps;
  const main = state.mainNodeId;
  const all = uniq([main, ...state.validNodeIds()]);
  const everywhere = (why: string, extra: Partial<StatementRoute> = {}): StatementRoute => ({
    ...base,
    targets: all,
    replyFrom: main,
    why,
    ...extra,
  });
  const allowComments = ctx.overrides?.allow_sql_comments ?? config.allow_sql_comments;
  const selectLike =
    cls.kind === 'read' &&
    (allowComments || !cls.facts?.selectStmt || passesFirstCharRule(sql, config.ignore_leading_white_space));

  if (!selectLike) {
    const commit = cls.txEffect === 'commit' || cls.txEffect === 'rollback';
    return everywhere(
      `native replication: ${cls.why.replace(/: .*$/, '')} on every node`,
      commit ? { commitOrder: 'others_first' } : {},
    );
  }
  if (cls.facts?.writingFunction)
    return everywhere(`native replication: writing function (${cls.functions.join(', ')}) on every node`);
  if (config.replicate_select) return everywhere('native replication: replicate_select = on');
  const onMain = (why: string): StatementRoute => ({
    ...base,
    targets: uniq([main]),
    replyFrom: main,
    why: `${why}: main node`,
  });
  if (!config.load_balance_mode) return onMain('load_balance_mode is off');
  const txReason = writeStateReason(cls, ctx, config);
  if (txReason) return onMain(txReason);
  let lb = ctx.loadBalanceNode;
  let newLb: number | undefined;
  if (config.statement_level_load_balance || !state.isValid(lb) || (state.nodes[lb]?.weight ?? 0) <= 0) {
    const c = deps.choose(ctx);
    if (c.node !== lb) newLb = c.node;
    lb = c.node;
  }
  if (lb < 0) return onMain('no load-balance node');
  if (newLb === undefined) {
    const key = outcomeKey(Outcome.NativeLoadBalanced, lb);
    return (
      reusedRoute(base.cls, key) ??
      keepRoute(base.cls, key, { ...base, targets: [lb], replyFrom: lb, why: `load balanced to node ${lb}` })
    );
  }
  return {
    ...base,
    targets: [lb],
    replyFrom: lb,
    why: `load balanced to node ${lb}`,
    ...(newLb !== undefined ? { newLoadBalanceNode: newLb } : {}),
  };
}
