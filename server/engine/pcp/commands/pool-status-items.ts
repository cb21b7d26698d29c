/**
 * The item list of `pcp_pool_status` / SHOW pool_status (reference §2 `pool_status`): pgpool.conf names in
 * pgpool's order with its one-line descriptions. Values are read from EngineApi.effectiveConfig(); items the
 * configuration does not have are left out rather than invented. Passwords are never listed.
 */
import type { ClusterSnapshot } from '../../api';
import type { ConfigItem } from '../records';
import { formatFloat } from '../codec';

const GLOBAL_ITEMS: ReadonlyArray<readonly [string, string]> = [
  ['backend_clustering_mode', 'clustering mode'],
  ['listen_addresses', 'host name(s) or IP address(es) to listen on'],
  ['port', 'pgpool accepting port number'],
  ['socket_dir', 'pgpool socket directory'],
  ['pcp_listen_addresses', 'host name(s) or IP address(es) for pcp process to listen on'],
  ['pcp_port', 'PCP port # to bind'],
  ['pcp_socket_dir', 'PCP socket directory'],
  ['enable_pool_hba', 'if true, use pool_hba.conf for client authentication'],
  ['pool_passwd', 'file name of pool_passwd for md5 authentication'],
  ['authentication_timeout', 'maximum time in seconds to complete client authentication'],
  [
    'allow_clear_text_frontend_auth',
    'allow to use clear text password auth when pool_passwd does not contain password',
  ],
  ['ssl', 'SSL support'],
  ['ssl_key', 'SSL private key file'],
  ['ssl_cert', 'SSL public certificate file'],
  ['ssl_ca_cert', 'single PEM format file containing CA root certificate(s)'],
  ['num_init_children', '# of children initially pre-forked'],
  ['listen_backlog_multiplier', 'listen backlog multiplier'],
  ['reserved_connections', '# of reserved connections'],
  ['max_pool', 'max # of connection pool per child'],
  ['child_life_time', 'if idle for this seconds, child exits'],
  ['child_max_connections', 'if max_connections received, child exits'],
  ['connection_life_time', 'if idle for this seconds, connection closes'],
  ['client_idle_limit', 'if idle for this seconds, child connection closes'],
  ['log_per_node_statement', 'if true, print all statements to the log with DB node id'],
  ['log_min_messages', 'minimum message level to log'],
  ['connection_cache', 'if true, cache connection pool'],
  ['reset_query_list', 'queries issued at the end of session'],
  ['replicate_select', 'non 0 if SELECT statement is replicated'],
  ['insert_lock', 'insert lock'],
  ['lobj_lock_table', 'table name used for large object replication control'],
  ['replication_stop_on_mismatch', 'stop replication mode on fatal error'],
  ['failover_if_affected_tuples_mismatch', 'failover if affected tuples are mismatch'],
  ['load_balance_mode', 'non 0 if operating in load balancing mode'],
  ['ignore_leading_white_space', 'ignore leading white spaces'],
  ['read_only_function_list', 'functions those do not write to database'],
  ['write_function_list', 'functions those write to database'],
  ['primary_routing_query_pattern_list', 'query patterns that should be sent to primary node'],
  ['disable_load_balance_on_write', 'Load balance behavior when write query is received'],
  ['dml_adaptive_object_relationship_list', 'list of relationships between objects'],
  ['statement_level_load_balance', 'statement level load balancing'],
  ['sr_check_period', 'sr check period'],
  ['sr_check_user', 'sr check user'],
  ['sr_check_database', 'sr check database'],
  ['delay_threshold', 'standby delay threshold'],
  [
    'prefer_lower_delay_standby',
    'If the load balance node is delayed over delay_threshold, use another standby',
  ],
  ['log_standby_delay', 'how to log standby delay'],
  ['follow_primary_command', 'follow primary command'],
  ['database_redirect_preference_list', 'redirect by database name'],
  ['app_name_redirect_preference_list', 'redirect by application name'],
  ['allow_sql_comments', 'allow SQL comments'],
  ['health_check_period', 'health check period'],
  ['health_check_timeout', 'health check timeout'],
  ['health_check_user', 'health check user'],
  ['health_check_database', 'health check database'],
  ['health_check_max_retries', 'health check max retries'],
  ['health_check_retry_delay', 'health check retry delay'],
  ['connect_timeout', 'connect timeout'],
  ['failover_command', 'failover command'],
  ['failback_command', 'failback command'],
  ['failover_on_backend_error', 'failover on backend error'],
  ['failover_on_backend_shutdown', 'failover on backend shutdown'],
  ['detach_false_primary', 'detach false primary'],
  ['auto_failback', 'auto failback'],
  ['auto_failback_interval', 'auto failback interval'],
  ['recovery_user', 'online recovery user'],
  ['recovery_1st_stage_command', 'execute a command in first stage.'],
  ['recovery_2nd_stage_command', 'execute a command in second stage.'],
  ['recovery_timeout', "max time in seconds to wait for the recovering node's postmaster"],
  ['search_primary_node_timeout', 'max time in seconds to search for primary node after failover'],
  [
    'client_idle_limit_in_recovery',
    'if idle for this seconds, child connection closes in recovery 2nd stage',
  ],
  ['check_temp_table', 'enable temporary table check'],
  ['check_unlogged_table', 'enable unlogged table check'],
  ['use_watchdog', 'Enables watchdog'],
];

const MODE_CODE: Record<string, number> = {
  streaming_replication: 1,
  native_replication: 2,
  logical_replication: 3,
  slony: 4,
  raw: 5,
  snapshot_isolation: 6,
};

/** pgpool prints booleans as 0/1 and lists as comma-separated values. */
export function formatConfigValue(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (name === 'backend_clustering_mode' && typeof v === 'string') return String(MODE_CODE[v] ?? v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  if (Array.isArray(v)) return v.map(String).join(name === 'reset_query_list' ? ';' : ',');
  return undefined;
}

/** Per-node health_check_* live under backends[N].health_check; the first node's stand in for the global value. */
function lookup(cfg: Record<string, unknown>, name: string): unknown {
  if (name in cfg) return cfg[name];
  if (name.startsWith('health_check_') || name === 'connect_timeout') {
    const backends = cfg.backends as Array<{ health_check?: Record<string, unknown> }> | undefined;
    const hc = backends?.[0]?.health_check;
    const key = name === 'connect_timeout' ? 'connect_timeout' : name.slice('health_check_'.length);
    return hc?.[key];
  }
  return undefined;
}

export function poolStatusItems(cfg: Record<string, unknown>, snap: ClusterSnapshot): ConfigItem[] {
  const items: ConfigItem[] = [];
  for (const [name, description] of GLOBAL_ITEMS) {
    const value = formatConfigValue(name, lookup(cfg, name));
    if (value !== undefined) items.push({ name, value, description });
  }
  for (const n of snap.nodes) {
    const i = n.id;
    const flag = `${n.flags.allowToFailover ? 'ALLOW_TO_FAILOVER' : 'DISALLOW_TO_FAILOVER'}${n.flags.alwaysPrimary ? '|ALWAYS_PRIMARY' : ''}`;
    items.push(
      { name: `backend_hostname${i}`, value: n.hostname, description: `backend #${i} hostname` },
      { name: `backend_port${i}`, value: String(n.port), description: `backend #${i} port number` },
      {
        name: `backend_weight${i}`,
        value: formatFloat(n.normalizedWeight),
        description: `weight of backend #${i}`,
      },
      {
        name: `backend_data_directory${i}`,
        value: n.dataDirectory,
        description: `data directory for backend #${i}`,
      },
      {
        name: `backend_status${i}`,
        value: n.quarantined ? 'quarantine' : n.status,
        description: `status of backend #${i}`,
      },
      {
        name: `standby_delay${i}`,
        value: String(n.replicationDelayBytes),
        description: `standby delay of backend #${i}`,
      },
      { name: `backend_flag${i}`, value: flag, description: `backend #${i} flag` },
      {
        name: `backend_application_name${i}`,
        value: n.applicationName,
        description: `application_name for backend #${i}`,
      },
    );
  }
  return items;
}
