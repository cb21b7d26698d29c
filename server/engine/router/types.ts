/**
 * Contract between the proxy session (frontend/) and statement routing (router/). The session asks where each
 * statement goes; the router answers from the statement's class (PostgreSQL's own parser, cached by text), the
 * session's transaction state and the cluster state (weights, delay, status). Reference §4.1, §4.4, §5.
 */

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
}

export interface StatementRoute {
  /** Nodes that receive the statement, in the order it must be sent. */
  targets: number[];
  /** The node whose reply is forwarded to the client (the others' replies are read and compared/discarded). */
  replyFrom: number;
  cls: StatementClass;
  /** Why these targets, e.g. "load balanced to node 2", "write: primary", "read after write in transaction". */
  why: string;
}

export interface Router {
  /** Classify a simple-query string or a Parse's statement text (cached; the parser stays off the hot path). */
  classify(sql: string): StatementClass | Promise<StatementClass>;
  /** Pick the load-balance node for a new session (weighted random among eligible nodes; redirect lists). */
  chooseLoadBalanceNode(ctx: Pick<SessionRouteContext, 'database' | 'applicationName'>): number;
  /** Where a classified statement goes for this session right now. */
  route(cls: StatementClass, ctx: SessionRouteContext, sql: string): StatementRoute;
}
