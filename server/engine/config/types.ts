/**
 * The resolved configuration the engine runs on: the contract between config loading and every engine module.
 *
 * Keys are pgpool-II 4.3 parameter names verbatim (pgpool.conf names are the contract, ARCHITECTURE.md rule 6), with
 * times in the unit pgpool documents for that parameter (seconds unless the name says otherwise; connect_timeout in
 * ms). Per-node parameters (`backend_*N`, `health_check_*N`, ...) are resolved into `backends[N]` so a module never
 * looks up overrides itself. The zod schemas in this folder produce exactly this shape.
 */
import type { ClusteringMode } from '../state/types';

export interface BackendFlag {
  allowToFailover: boolean;
  alwaysPrimary: boolean;
}

/** health_check_* with the per-node `...N` override already applied (reference §3.6). */
export interface HealthCheckParams {
  period: number; // s, 0 = disabled
  timeout: number; // s, 0 = none
  user: string;
  password: string; // '' = look up pool_passwd
  database: string; // '' = 'postgres'
  max_retries: number;
  retry_delay: number; // s
  connect_timeout: number; // ms
}

export interface BackendConfig {
  id: number;
  hostname: string;
  port: number;
  weight: number;
  data_directory: string;
  flag: BackendFlag;
  application_name: string;
  health_check: HealthCheckParams;
}

export interface HbaRule {
  /** file:line where it was written, for "why was I rejected" messages. */
  source: string;
  type: 'local' | 'host' | 'hostssl' | 'hostnossl';
  databases: string[]; // 'all' allowed
  users: string[]; // 'all' allowed
  /** For host*: CIDR, or 'all' / 'samehost' / 'samenet'. */
  address:
    | { kind: 'cidr'; network: string; prefix: number; family: 4 | 6 }
    | { kind: 'all' | 'samehost' | 'samenet' }
    /** Host name or `.domain` suffix: matched against the client's verified reverse-DNS names. */
    | { kind: 'hostname'; name: string }
    | null;
  method: 'trust' | 'reject' | 'md5' | 'scram-sha-256' | 'password' | 'cert' | 'pam' | 'ldap';
  options: Record<string, string>;
}

/** pool_passwd entry (reference §8.2). */
export type PoolPasswdEntry =
  | { kind: 'md5'; hash: string } // 'md5' + 32 hex of md5(password || username)
  | { kind: 'plain'; password: string }
  | { kind: 'scram'; verifier: string }
  | { kind: 'aes'; encrypted: string; password: string | null }; // decrypted when a key is available

export interface PcpUser {
  user: string;
  /** md5 hex of the password, as pcp.conf stores it (no 'md5' prefix). */
  md5: string;
}

/** One pgpool of the watchdog cluster (4.3 `hostnameN`, `wd_portN`, `pgpool_portN`). */
export interface WatchdogNodeConfig {
  hostname: string;
  wd_port: number;
  pgpool_port: number;
}

/** One heartbeat destination (4.3 `heartbeat_hostnameN`, `heartbeat_portN`, `heartbeat_deviceN`). */
export interface HeartbeatConfig {
  hostname: string;
  port: number;
  device: string;
}

/** Watchdog topology, parsed and validated; the watchdog itself is not implemented yet. */
export interface WatchdogConfig {
  nodes: WatchdogNodeConfig[];
  heartbeats: HeartbeatConfig[];
  /** Index of this pgpool in `nodes`: from `pgpool_node_id` (4.x), 0 for a converted 3.x config, null if unknown. */
  local_node_id: number | null;
  /** The config used pgpool 3.x names (wd_hostname, other_pgpool_hostnameN...) and was converted. */
  converted_from_3x: boolean;
}

export type DisableLbOnWrite = 'off' | 'transaction' | 'trans_transaction' | 'always' | 'dml_adaptive';

export interface PgwardenConfig {
  /** Absolute paths of the files this config came from. */
  files: {
    pgpool_conf: string;
    pcp_conf: string | null;
    pool_hba_conf: string | null;
    pool_passwd: string | null;
  };

  // connections
  listen_addresses: string; // '*' | 'localhost' | comma list
  port: number;
  socket_dir: string; // '' disables the Unix socket
  pcp_listen_addresses: string;
  pcp_port: number;
  pcp_socket_dir: string;
  listen_backlog_multiplier: number;

  // authentication
  enable_pool_hba: boolean;
  pool_passwd: string; // file name, '' disables
  authentication_timeout: number; // s
  allow_clear_text_frontend_auth: boolean;
  ssl: boolean;
  ssl_key: string;
  ssl_cert: string;
  ssl_ca_cert: string;

  // pools
  num_init_children: number;
  reserved_connections: number;
  max_pool: number;
  child_life_time: number;
  child_max_connections: number;
  connection_life_time: number;
  client_idle_limit: number;
  connection_cache: boolean;
  reset_query_list: string[]; // split on ';'

  // mode
  backend_clustering_mode: ClusteringMode;
  backends: BackendConfig[];

  // load balancing / routing
  load_balance_mode: boolean;
  ignore_leading_white_space: boolean;
  read_only_function_list: string[];
  write_function_list: string[];
  primary_routing_query_pattern_list: string[];
  database_redirect_preference_list: string; // raw, parsed by the router
  app_name_redirect_preference_list: string;
  allow_sql_comments: boolean;
  disable_load_balance_on_write: DisableLbOnWrite;
  dml_adaptive_object_relationship_list: string;
  statement_level_load_balance: boolean;
  check_temp_table: 'catalog' | 'trace' | 'none';
  check_unlogged_table: boolean;

  // native replication
  replicate_select: boolean;
  insert_lock: boolean;
  lobj_lock_table: string;
  replication_stop_on_mismatch: boolean;
  failover_if_affected_tuples_mismatch: boolean;
  /** pgwarden extension: a write with a non-deterministic call in native replication: 'warn' or 'refuse'. */
  replication_nondeterministic_functions: 'warn' | 'refuse';

  // streaming replication check
  sr_check_period: number;
  sr_check_user: string;
  sr_check_password: string;
  sr_check_database: string;
  delay_threshold: number; // bytes
  /** pgwarden extension: seconds of replay lag (0 = off). */
  delay_threshold_by_time: number;
  prefer_lower_delay_standby: boolean;
  log_standby_delay: 'if_over_threshold' | 'always' | 'none';

  // failover
  failover_command: string;
  failback_command: string;
  follow_primary_command: string;
  failover_on_backend_error: boolean;
  failover_on_backend_shutdown: boolean;
  detach_false_primary: boolean;
  search_primary_node_timeout: number; // s, 0 = forever
  auto_failback: boolean;
  auto_failback_interval: number; // s
  /** pgwarden extension: time limit for failover/failback/follow commands, s (0 = none). */
  failover_command_timeout: number;

  // online recovery
  recovery_user: string;
  recovery_password: string;
  recovery_1st_stage_command: string;
  recovery_2nd_stage_command: string;
  recovery_timeout: number; // s
  client_idle_limit_in_recovery: number; // s, -1 = at once
  /** pgwarden extension: 'extension' runs scripts through SELECT pgpool_recovery(); 'direct' runs them itself. */
  recovery_script_runner: 'extension' | 'direct';

  // watchdog (parsed and validated; the watchdog itself may not run yet)
  use_watchdog: boolean;

  // logging
  log_per_node_statement: boolean;
  log_min_messages: string;
  logdir: string;
  pid_file_name: string;

  // pgwarden-only settings (documented in the README)
  dashboard_listen_address: string;
  dashboard_port: number;
  /** Where the control plane keeps its store: 'file:<path>' (SQLite, default under data dir) or a postgres:// URL. */
  store_url: string;
  /** Directory for pgwarden's own state (store, status file when logdir is unset). */
  data_directory: string;

  // added by config loading (not pgpool parameters)
  watchdog: WatchdogConfig;
  /** Every scalar parameter of the registry with its resolved value (for PGPOOL SHOW / SHOW pool_status). */
  settings: Record<string, boolean | number | string | string[]>;
  /** `file:line` of the assignment that set each parameter; absent = default. */
  sources: Record<string, string>;
}
