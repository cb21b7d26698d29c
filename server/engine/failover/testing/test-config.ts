/**
 * A complete PgwardenConfig built by hand for failover/health tests, with pgpool 4.3's defaults (reference
 * Appendix A) and the nodes given. Tests override what they exercise.
 */
import type { BackendConfig, HealthCheckParams, PgwardenConfig } from '../../config/types';

export interface TestNode {
  port: number;
  hostname?: string;
  dataDir?: string;
  applicationName?: string;
  weight?: number;
  allowToFailover?: boolean;
  alwaysPrimary?: boolean;
  healthCheck?: Partial<HealthCheckParams>;
}

export function testConfig(
  nodes: TestNode[],
  overrides: Partial<Omit<PgwardenConfig, 'backends'>> & { healthCheck?: Partial<HealthCheckParams> } = {},
): PgwardenConfig {
  const { healthCheck, ...rest } = overrides;
  const hc: HealthCheckParams = {
    period: 1,
    timeout: 5,
    user: 'postgres',
    password: '',
    database: 'postgres',
    max_retries: 0,
    retry_delay: 1,
    connect_timeout: 2000,
    ...healthCheck,
  };
  const backends: BackendConfig[] = nodes.map((n, id) => ({
    id,
    hostname: n.hostname ?? '127.0.0.1',
    port: n.port,
    weight: n.weight ?? 1,
    data_directory: n.dataDir ?? '',
    flag: { allowToFailover: n.allowToFailover ?? true, alwaysPrimary: n.alwaysPrimary ?? false },
    application_name: n.applicationName ?? `node${id}`,
    health_check: { ...hc, ...n.healthCheck },
  }));
  const base = {
    files: { pgpool_conf: '<test>', pcp_conf: null, pool_hba_conf: null, pool_passwd: null },
    listen_addresses: 'localhost',
    port: 0,
    socket_dir: '',
    pcp_listen_addresses: 'localhost',
    pcp_port: 0,
    pcp_socket_dir: '',
    listen_backlog_multiplier: 2,
    enable_pool_hba: false,
    pool_passwd: '',
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
    backends,
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
    sr_check_period: 1,
    sr_check_user: 'postgres',
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
    search_primary_node_timeout: 30,
    auto_failback: false,
    auto_failback_interval: 60,
    failover_command_timeout: 60,
    recovery_user: 'postgres',
    recovery_password: '',
    recovery_1st_stage_command: '',
    recovery_2nd_stage_command: '',
    recovery_timeout: 90,
    client_idle_limit_in_recovery: 0,
    recovery_script_runner: 'extension',
    use_watchdog: false,
    log_per_node_statement: false,
    log_min_messages: 'warning',
    logdir: '',
    pid_file_name: '',
    dashboard_listen_address: 'localhost',
    dashboard_port: 0,
    store_url: '',
    data_directory: '',
  } satisfies Partial<PgwardenConfig>;
  // Cast: fields added to the contract later (watchdog...) are not read by the modules these tests exercise.
  return { ...base, ...rest } as PgwardenConfig;
}
