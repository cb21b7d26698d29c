/**
 * Old parameter names. pgpool 4.3 silently ignores most of them (reference §8.3); pgwarden deliberately accepts
 * them with a deprecation warning instead, so the 3.x configs in the user's documents keep working, and says
 * what the new name is. Three families:
 * - renames: the value goes to the new parameter;
 * - clustering-mode switches (`replication_mode`, `master_slave_mode`, `master_slave_sub_mode`): folded into
 *   `backend_clustering_mode` by the resolver;
 * - 3.x watchdog names: the local node and "other" nodes become 4.x `hostnameN`/`wd_portN`/`pgpool_portN` lists.
 */
export interface RenamedParam {
  kind: 'rename';
  to: string;
  since: string;
}

export interface ModeSwitchParam {
  kind: 'mode';
}

export interface LegacyWatchdogParam {
  kind: 'legacy-watchdog';
  /** Indexed (`other_pgpool_hostname0`) or scalar (`wd_hostname`). */
  indexed: boolean;
  /** What pgpool 4.x calls it, for the warning. */
  modern: string;
}

export interface ObsoleteParam {
  kind: 'obsolete';
  note: string;
}

export type AliasDef = RenamedParam | ModeSwitchParam | LegacyWatchdogParam | ObsoleteParam;

const rename = (to: string, since: string): RenamedParam => ({ kind: 'rename', to, since });
const legacyWd = (indexed: boolean, modern: string): LegacyWatchdogParam => ({
  kind: 'legacy-watchdog',
  indexed,
  modern,
});
const obsolete = (note: string): ObsoleteParam => ({ kind: 'obsolete', note });

export const ALIASES: Record<string, AliasDef> = {
  white_function_list: rename('read_only_function_list', '4.2'),
  black_function_list: rename('write_function_list', '4.2'),
  black_query_pattern_list: rename('primary_routing_query_pattern_list', '4.2'),
  follow_master_command: rename('follow_primary_command', '4.2'),
  fail_over_on_backend_error: rename('failover_on_backend_error', '4.0'),
  white_memqcache_table_list: rename('cache_safe_memqcache_table_list', '4.2'),
  black_memqcache_table_list: rename('cache_unsafe_memqcache_table_list', '4.2'),
  ifconfig_path: rename('if_cmd_path', '4.0'),
  delegate_ip: rename('delegate_IP', '4.4 (lower-case spelling)'),

  replication_mode: { kind: 'mode' },
  master_slave_mode: { kind: 'mode' },
  master_slave_sub_mode: { kind: 'mode' },

  wd_hostname: legacyWd(false, 'hostnameN of this node'),
  // Scalar wd_port is the 3.x local watchdog port; indexed wd_portN is the 4.x per-node list.
  wd_port: legacyWd(false, 'wd_portN of this node'),
  wd_heartbeat_port: legacyWd(false, 'heartbeat_portN'),
  other_pgpool_hostname: legacyWd(true, 'hostnameN'),
  other_pgpool_port: legacyWd(true, 'pgpool_portN'),
  other_wd_port: legacyWd(true, 'wd_portN'),
  heartbeat_destination: legacyWd(true, 'heartbeat_hostnameN'),
  heartbeat_destination_port: legacyWd(true, 'heartbeat_portN'),

  parallel_mode: obsolete('parallel query was removed in pgpool-II 3.5'),
  enable_query_cache: obsolete(
    'the on-disk query cache was removed in pgpool-II 3.2; see memory_cache_enabled',
  ),
  system_db_hostname: obsolete('the system database was removed in pgpool-II 3.5'),
  system_db_port: obsolete('the system database was removed in pgpool-II 3.5'),
  system_db_dbname: obsolete('the system database was removed in pgpool-II 3.5'),
  system_db_schema: obsolete('the system database was removed in pgpool-II 3.5'),
  system_db_user: obsolete('the system database was removed in pgpool-II 3.5'),
  system_db_password: obsolete('the system database was removed in pgpool-II 3.5'),
  print_timestamp: obsolete('removed in pgpool-II 3.4; use log_line_prefix'),
  print_user: obsolete('removed in pgpool-II 3.4; use log_line_prefix'),
  debug_level: obsolete('removed in pgpool-II 3.4; use log_min_messages or -d'),
  pcp_timeout: obsolete('removed in pgpool-II 3.5'),
  backend_socket_dir: obsolete(
    'removed in pgpool-II 4.0; a backend_hostname starting with / is a socket directory',
  ),
  allow_inet_domain_socket: obsolete('removed in pgpool-II 3.0; use listen_addresses'),
  health_check_test: obsolete('a pgpool-II developer option'),
};

export function getAlias(name: string): AliasDef | undefined {
  return Object.prototype.hasOwnProperty.call(ALIASES, name) ? ALIASES[name] : undefined;
}
