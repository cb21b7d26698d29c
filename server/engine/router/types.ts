/**
 * Contract between the proxy session (frontend/) and statement routing (router/). The session asks where each
 * statement goes; the router answers from the statement's class (PostgreSQL's own parser, cached by text), the
 * session's transaction state and the cluster state (weights, delay, status). Reference §4.1, §4.4, §5.
 */
import type { PgwardenConfig } from '../config/types';
import type { SessionTracking } from './session-tracking';

/** What a statement is, independent of any session (cacheable by statement text). */
export interface StatementClass {
  /**
   * 'read'    load-balanceable (plain SELECT, COPY TO, SHOW, EXPLAIN without ANALYZE of a write)
   * 'write'   primary only in streaming mode, all nodes in native replication (DML, DDL, SELECT INTO, FOR UPDATE...)
   * 'session' every node the session uses (BEGIN, COMMIT, ROLLBACK, SET, SAVEPOINT, DISCARD, LOCK < ROW EXCLUSIVE...)
   */
  kind: 'read' | 'write' | 'session';
  /** For counters (SHOW pool_backend_stats): select / insert / update / delete / ddl / other. */
  counter: 'select' | 'insert' | 'update' | 'delete' | 'ddl' | 'other';
  /** Transaction-control effect, so the session can track its transaction state. */
  txEffect: 'begin' | 'commit' | 'rollback' | 'prepare' | 'none';
  /** Tables the statement reads or writes (schema-qualified when written so), for dml_adaptive and temp tables. */
  tables: string[];
  /** Function names called, for write_function_list / read_only_function_list / pg_proc volatility. */
  functions: string[];
  /** Why it was classified so (shown by log_per_node_statement and the dashboard), e.g. "SELECT ... FOR UPDATE". */
  why: string;
  /** pgpool admin command intercepted by pgwarden (SHOW pool_nodes, PGPOOL SET ...), answered without a backend. */
  admin?: { command: string; args: string[] };
  /** Routing facts found by the classifier (pgwarden additions, all optional; see classifier.ts). */
  facts?: StatementFacts;
}

/** Facts behind a classification that routing needs beyond `kind` (reference §4.4 "none of" list). */
export interface StatementFacts {
  /** pg_catalog.* or pg_* relation referenced: pgpool sends such reads to the primary ("system catalog"). */
  systemCatalog?: boolean;
  /** A called function is writing (write_function_list / read_only_function_list / pg_proc volatile). */
  writingFunction?: boolean;
  /** Functions whose writing status is still unknown (catalogue lookup pending); resolved by classify(sql, ctx). */
  unresolvedFunctions?: boolean;
  /** A referenced relation is temporary / unlogged (check_temp_table=catalog, check_unlogged_table). */
  tempTable?: boolean;
  unloggedTable?: boolean;
  /** Tables written by the statement (INSERT/UPDATE/DELETE/MERGE/COPY FROM/TRUNCATE targets), for dml_adaptive. */
  writtenTables?: string[];
  /** CREATE TEMP TABLE names (check_temp_table=trace), DROP TABLE names (to forget them). */
  createsTempTables?: string[];
  dropsTables?: string[];
  /** SQL-level PREPARE name (its class is the prepared query's), EXECUTE / DEALLOCATE name ('*' = ALL). */
  prepareName?: string;
  executeName?: string;
  deallocateName?: string;
  /** The statement starts a transaction or sets the transaction SERIALIZABLE (session tracks `serializable`). */
  setsSerializable?: boolean;
  /** Marks the transaction/session as having written (disable_load_balance_on_write); false for e.g. SET ... READ WRITE. */
  marksWrite?: boolean;
  /** Creates/alters/drops a function: the volatility cache of the database is stale. */
  changesFunctions?: boolean;
  /** DISCARD target ('all', 'temp', 'plans', 'sequences'): forgets tracked temp tables / prepared statements. */
  discard?: string;
  /** Several statements in one query string. */
  multiStatement?: boolean;
  /** A SelectStmt read: subject to the allow_sql_comments first-character rule (pgpool `is_select_query`). */
  selectStmt?: boolean;
}

/** Per-session facts the router needs; owned and updated by the session. */
export interface SessionRouteContext {
  database: string;
  user: string;
  applicationName: string;
  inTransaction: boolean;
  /** A write happened in the current explicit transaction. */
  txWrote: boolean;
  /** A write happened earlier in the session (disable_load_balance_on_write = always / trans_transaction). */
  sessionWrote: boolean;
  txFailed: boolean;
  serializable: boolean;
  /** The node chosen for this session's load-balanced reads at connect time (-1 before the choice). */
  loadBalanceNode: number;
  /**
   * trans_transaction only: a write happened in an earlier *explicit* transaction of this session. When absent the
   * router uses `sessionWrote`.
   */
  sessionWroteInTransaction?: boolean;
  /**
   * Per-session memory the router keeps (SQL PREPARE targets for EXECUTE, check_temp_table=trace names, dml_adaptive
   * tables written in the transaction). Create with `createSessionTracking()`; route() updates it.
   */
  tracking?: SessionTracking;
  /** Session-level values set with `PGPOOL SET` (reference §2), overriding the config for this session. */
  overrides?: Partial<Pick<PgwardenConfig, 'allow_sql_comments' | 'check_unlogged_table'>>;
}

/** What classify needs to resolve per-database facts (function volatility, unlogged/temp relations). */
export interface ClassifyContext {
  database: string;
  /** check_temp_table=catalog / check_unlogged_table: relpersistence lookup on this session's primary connection. */
  relations?: RelationLookup;
  /** The session's tracking: caches check_temp_table=catalog answers for this session. */
  tracking?: SessionTracking;
}

/** `SELECT relname, relpersistence FROM pg_class` for the given names as this session sees them. */
export interface RelationLookup {
  persistence(names: string[]): Promise<Map<string, 'p' | 'u' | 't'>>;
}

/** pg_proc volatility per function name as written ('v' volatile, 's' stable, 'i' immutable); missing = not found. */
export interface FunctionVolatility {
  lookup(names: string[], database: string): Promise<Map<string, 'v' | 's' | 'i'>>;
  /** Forget cached answers (after CREATE/ALTER/DROP FUNCTION). */
  invalidate?(database?: string): void;
}

export interface StatementRoute {
  /** Nodes that receive the statement, in the order it must be sent. */
  targets: number[];
  /** The node whose reply is forwarded to the client (the others' replies are read and compared/discarded). */
  replyFrom: number;
  cls: StatementClass;
  /** Why these targets, e.g. "load balanced to node 2", "write: primary", "read after write in transaction". */
  why: string;
  /** Native replication COMMIT/ROLLBACK: send to the non-main nodes first, main node last (reference §4.1). */
  commitOrder?: 'others_first';
  /** The session should set txWrote (in a transaction) and sessionWrote after this statement. */
  marksWrite?: boolean;
  /** statement_level_load_balance / prefer_lower_delay_standby re-chose the LB node: the session should keep it. */
  newLoadBalanceNode?: number;
}

export interface Router {
  /**
   * Classify a simple-query string or a Parse's statement text (cached; the parser stays off the hot path). With
   * `ctx`, per-database facts (function volatility, unlogged/temp relations) are resolved too: the result is a
   * Promise only when a catalogue lookup is needed (first sight of a function/table in that database).
   */
  classify(sql: string, ctx?: ClassifyContext): StatementClass | Promise<StatementClass>;
  /** Pick the load-balance node for a new session (weighted random among eligible nodes; redirect lists). */
  chooseLoadBalanceNode(ctx: Pick<SessionRouteContext, 'database' | 'applicationName'>): number;
  /** Where a classified statement goes for this session right now. */
  route(cls: StatementClass, ctx: SessionRouteContext, sql: string): StatementRoute;
}
