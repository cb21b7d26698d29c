/**
 * Hand-built configs for router and admin unit tests (config loading is another module): pgpool 4.3 defaults for the
 * parameters routing reads (reference Appendix A), three backends of weight 1.
 */
import type { BackendConfig, PgwardenConfig } from '../config/types';
import { ClusterState } from '../state/cluster-state';

export function testBackend(id: number, weight = 1): BackendConfig {
  return {
    id,
    hostname: 'localhost',
    port: 11002 + id,
    weight,
    data_directory: `/tmp/data${id}`,
    flag: { allowToFailover: true, alwaysPrimary: false },
    application_name: `server${id}`,
    health_check: {
      period: 0,
      timeout: 20,
      user: 'nobody',
      password: '',
      database: '',
      max_retries: 0,
      retry_delay: 1,
      connect_timeout: 10000,
    },
  };
}

export function testConfig(overrides: Partial<PgwardenConfig> = {}): PgwardenConfig {
  // An assertion rather than an annotation: the config type grows while loaders are written in parallel.
  return {
    watchdog: { nodes: [], heartbeats: [], local_node_id: null, converted_from_3x: false },
    settings: {},
    sources: {},
    files: { pgpool_conf: '/etc/pgpool.conf', pcp_conf: null, pool_hba_conf: null, pool_passwd: null },
    listen_addresses: 'localhost',
    port: 9999,
    socket_dir: '/tmp',
    pcp_listen_addresses: 'localhost',
    pcp_port: 9898,
    pcp_socket_dir: '/tmp',
    listen_backlog_multiplier: 2,
    enable_pool_hba: false,
    pool_passwd: 'pool_passwd',
    authentication_timeout: 60,
    allow_clear_text_frontend_auth: false,
    ssl: false,
    ssl_key: '',
    ssl_cert: '',
    ssl_ca_cert: '',
    num_init_children: 32,
    reserved_connections: 0,
    max_pool: 4,
    child_life_time: 300,
    child_max_connections: 0,
    connection_life_time: 0,
    client_idle_limit: 0,
    connection_cache: true,
    reset_query_list: ['ABORT', 'DISCARD ALL'],
    backend_clustering_mode: 'streaming_replication',
    backends: [testBackend(0), testBackend(1), testBackend(2)],
    load_balance_mode: true,
    ignore_leading_white_space: true,
    read_only_function_list: [],
    write_function_list: [],
    primary_routing_query_pattern_list: [],
    database_redirect_preference_list: '',
    app_name_redirect_preference_list: '',
    allow_sql_comments: false,
    disable_load_balance_on_write: 'transaction',
    dml_adaptive_object_relationship_list: '',
    statement_level_load_balance: false,
    check_temp_table: 'catalog',
    check_unlogged_table: true,
    replicate_select: false,
    insert_lock: true,
    lobj_lock_table: '',
    replication_stop_on_mismatch: false,
    failover_if_affected_tuples_mismatch: false,
    sr_check_period: 10,
    sr_check_user: 'nobody',
    sr_check_password: '',
    sr_check_database: 'postgres',
    delay_threshold: 0,
    delay_threshold_by_time: 0,
    prefer_lower_delay_standby: false,
    log_standby_delay: 'if_over_threshold',
    failover_command: '',
    failback_command: '',
    follow_primary_command: '',
    failover_on_backend_error: true,
    failover_on_backend_shutdown: true,
    detach_false_primary: false,
    search_primary_node_timeout: 300,
    auto_failback: false,
    auto_failback_interval: 60,
    failover_command_timeout: 0,
    recovery_user: 'nobody',
    recovery_password: '',
    recovery_1st_stage_command: '',
    recovery_2nd_stage_command: '',
    recovery_timeout: 90,
    client_idle_limit_in_recovery: 0,
    recovery_script_runner: 'extension',
    use_watchdog: false,
    log_per_node_statement: false,
    log_min_messages: 'warning',
    logdir: '/tmp',
    pid_file_name: '/tmp/pgpool.pid',
    dashboard_listen_address: 'localhost',
    dashboard_port: 9000,
    store_url: 'file:/tmp/pgwarden.db',
    data_directory: '/tmp/pgwarden',
    ...overrides,
  } as PgwardenConfig;
}

/** A cluster state with every node up and node 0 primary (streaming) or main (other modes). */
export function testState(
  config: PgwardenConfig,
  now: () => Date = () => new Date(2026, 10, 21, 23, 56, 44),
): ClusterState {
  const state = new ClusterState(config.backend_clustering_mode, config.backends, now);
  for (const b of config.backends) state.setStatus(b.id, 'up', null);
  if (state.isStreaming()) state.setPrimary(0, null);
  return state;
}
