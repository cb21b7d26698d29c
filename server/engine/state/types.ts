/**
 * Cluster state vocabulary. Names follow pgpool-II 4.3 (reference §3.1, §2) so SHOW pool_nodes and PCP can print
 * them unchanged.
 */

/** pgpool's BACKEND_STATUS: 0 CON_UNUSED, 1 CON_CONNECT_WAIT ("waiting"), 2 CON_UP, 3 CON_DOWN. */
export type NodeStatus = 'unused' | 'waiting' | 'up' | 'down';

/** Numeric code used by PCP (`pcp_node_info` prints it) and pgpool_status. */
export const NODE_STATUS_CODE: Record<NodeStatus, number> = { unused: 0, waiting: 1, up: 2, down: 3 };

/** Role as SHOW pool_nodes prints it: streaming mode uses primary/standby, other modes main/replica. */
export type NodeRole = 'primary' | 'standby' | 'main' | 'replica';

/** What the node itself says (pg_is_in_recovery), or 'unknown' when not checked. */
export type PgRole = 'primary' | 'standby' | 'unknown';

export type ClusteringMode =
  | 'streaming_replication'
  | 'native_replication'
  | 'logical_replication'
  | 'slony'
  | 'raw'
  | 'snapshot_isolation';

/** A reason is kept with every status change: answers "why is node 2 down?" (ARCHITECTURE.md rule 5). */
export interface Reason {
  /** Stable machine code, e.g. 'health_check_failed', 'admin_detach', 'affected_tuples_mismatch'. */
  code: string;
  /** Human sentence with the facts: error text, attempt count, statement, who. */
  message: string;
  /** Free-form structured details (attempts, per-node results, exit codes...). */
  details?: Record<string, unknown>;
}

export interface NodeSnapshot {
  id: number;
  hostname: string;
  port: number;
  dataDirectory: string;
  applicationName: string;
  status: NodeStatus;
  quarantined: boolean;
  /** Configured weight as written in pgpool.conf. */
  weight: number;
  /** Weight normalised to a fraction of the total (SHOW pool_nodes lb_weight). */
  normalizedWeight: number;
  role: NodeRole;
  pgRole: PgRole;
  /** Live ping (SHOW pool_nodes pg_status): 'up' | 'down' | 'unknown'. */
  pgStatus: 'up' | 'down' | 'unknown';
  flags: { allowToFailover: boolean; alwaysPrimary: boolean };
  lastStatusChange: Date;
  /** Why the node has its current status (or why it does not receive reads). */
  reason: Reason | null;
  /** Replication delay of a standby in bytes (pgpool formula), 0 for the primary. */
  replicationDelayBytes: number;
  /** Replay delay in seconds (pgwarden extension), null when unknown. */
  replicationDelaySeconds: number | null;
  replicationState: string;
  replicationSyncState: string;
  /** Whether the node currently receives load-balanced reads, and why not if not. */
  loadBalanceEligible: boolean;
  notLoadBalancedReason: string | null;
  counters: NodeCounters;
}

export interface NodeCounters {
  select: number;
  insert: number;
  update: number;
  delete: number;
  ddl: number;
  other: number;
  panic: number;
  fatal: number;
  error: number;
}

export function emptyCounters(): NodeCounters {
  return { select: 0, insert: 0, update: 0, delete: 0, ddl: 0, other: 0, panic: 0, fatal: 0, error: 0 };
}

/** Who asked for an action: pgwarden itself, or a person/tool through one of the interfaces. */
export interface Actor {
  /** 'engine' for automatic decisions, otherwise a user name (PCP user, dashboard user, token name). */
  name: string;
  interface: 'engine' | 'pcp' | 'sql' | 'dashboard' | 'rest' | 'cli';
}

export const ENGINE_ACTOR: Actor = { name: 'pgwarden', interface: 'engine' };

export type EventKind =
  | 'node_status_changed'
  | 'primary_changed'
  | 'failover_started'
  | 'failover_finished'
  | 'failback'
  | 'follow_primary'
  | 'command_executed'
  | 'admin_action'
  | 'health_check_failed'
  | 'weight_changed'
  | 'recovery_started'
  | 'recovery_stage'
  | 'recovery_output'
  | 'recovery_finished'
  | 'config_reloaded'
  | 'engine_started'
  | 'engine_stopping'
  | 'mismatch';

/** One entry of the engine's event stream; the control plane persists these as the audit trail. */
export interface EngineEvent {
  id: number;
  time: Date;
  kind: EventKind;
  nodeId: number | null;
  actor: Actor;
  /** Short human summary, e.g. "node 1 down: health check failed 3 times (connection refused)". */
  summary: string;
  reason: Reason | null;
  outcome: 'ok' | 'failed' | 'refused' | 'info';
  details?: Record<string, unknown>;
}
