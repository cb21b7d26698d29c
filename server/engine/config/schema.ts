/**
 * zod schema of the resolved `PgwardenConfig`, assembled from the per-parameter schemas of the registry so the
 * contract (types.ts) and the parameter table cannot drift: every scalar field of the contract must be a registry
 * parameter (checked at compile time below) and its schema carries the parameter's type, range and doc.
 */
import { z } from 'zod';
import { getParam } from './registry';
import type { PgwardenConfig } from './types';

type StructuralKeys = 'files' | 'backends' | 'watchdog' | 'settings' | 'sources';
type ScalarKey = Exclude<keyof PgwardenConfig, StructuralKeys>;

/** Contract fields copied 1:1 from the parameter of the same name. */
export const CONTRACT_KEYS = [
  'listen_addresses',
  'port',
  'socket_dir',
  'pcp_listen_addresses',
  'pcp_port',
  'pcp_socket_dir',
  'listen_backlog_multiplier',
  'enable_pool_hba',
  'pool_passwd',
  'authentication_timeout',
  'allow_clear_text_frontend_auth',
  'ssl',
  'ssl_key',
  'ssl_cert',
  'ssl_ca_cert',
  'num_init_children',
  'reserved_connections',
  'max_pool',
  'child_life_time',
  'child_max_connections',
  'connection_life_time',
  'client_idle_limit',
  'connection_cache',
  'reset_query_list',
  'backend_clustering_mode',
  'load_balance_mode',
  'ignore_leading_white_space',
  'read_only_function_list',
  'write_function_list',
  'primary_routing_query_pattern_list',
  'database_redirect_preference_list',
  'app_name_redirect_preference_list',
  'allow_sql_comments',
  'disable_load_balance_on_write',
  'dml_adaptive_object_relationship_list',
  'statement_level_load_balance',
  'check_temp_table',
  'check_unlogged_table',
  'replicate_select',
  'insert_lock',
  'lobj_lock_table',
  'replication_stop_on_mismatch',
  'failover_if_affected_tuples_mismatch',
  'replication_nondeterministic_functions',
  'sr_check_period',
  'sr_check_user',
  'sr_check_password',
  'sr_check_database',
  'delay_threshold',
  'delay_threshold_by_time',
  'prefer_lower_delay_standby',
  'log_standby_delay',
  'failover_command',
  'failback_command',
  'follow_primary_command',
  'failover_on_backend_error',
  'failover_on_backend_shutdown',
  'detach_false_primary',
  'search_primary_node_timeout',
  'auto_failback',
  'auto_failback_interval',
  'failover_command_timeout',
  'recovery_user',
  'recovery_password',
  'recovery_1st_stage_command',
  'recovery_2nd_stage_command',
  'recovery_timeout',
  'client_idle_limit_in_recovery',
  'recovery_script_runner',
  'use_watchdog',
  'log_per_node_statement',
  'log_min_messages',
  'logdir',
  'pid_file_name',
  'dashboard_listen_address',
  'dashboard_port',
  'store_url',
  'data_directory',
] as const satisfies readonly ScalarKey[];

// Compile-time completeness: a contract field added to types.ts without a registry parameter fails here.
type MissingFromRegistry = Exclude<ScalarKey, (typeof CONTRACT_KEYS)[number]>;
const _complete: [MissingFromRegistry] extends [never] ? true : MissingFromRegistry = true;
void _complete;

const healthCheckSchema = z.object({
  period: z.number().int().min(0),
  timeout: z.number().int().min(0),
  user: z.string(),
  password: z.string(),
  database: z.string(),
  max_retries: z.number().int().min(0),
  retry_delay: z.number().int().min(0),
  connect_timeout: z.number().int().min(0),
});

export const backendSchema = z.object({
  id: z.number().int().min(0).max(127),
  hostname: z.string(),
  port: z.number().int().min(1).max(65535),
  weight: z.number().min(0),
  data_directory: z.string(),
  flag: z.object({ allowToFailover: z.boolean(), alwaysPrimary: z.boolean() }),
  application_name: z.string(),
  health_check: healthCheckSchema,
});

const watchdogSchema = z.object({
  nodes: z.array(
    z.object({ hostname: z.string(), wd_port: z.number().int(), pgpool_port: z.number().int() }),
  ),
  heartbeats: z.array(z.object({ hostname: z.string(), port: z.number().int(), device: z.string() })),
  local_node_id: z.number().int().nullable(),
  converted_from_3x: z.boolean(),
});

const scalarShape = Object.fromEntries(CONTRACT_KEYS.map((k) => [k, getParam(k)!.schema]));

export const configSchema = z
  .object(scalarShape)
  .extend({
    files: z.object({
      pgpool_conf: z.string(),
      pcp_conf: z.string().nullable(),
      pool_hba_conf: z.string().nullable(),
      pool_passwd: z.string().nullable(),
    }),
    backends: z.array(backendSchema),
    watchdog: watchdogSchema,
    settings: z.record(z.string(), z.union([z.boolean(), z.number(), z.string(), z.array(z.string())])),
    sources: z.record(z.string(), z.string()),
  })
  .refine((c) => (c.backends as unknown as { id: number }[]).every((b, i) => b.id === i), {
    message: 'backends[i].id must equal i',
    path: ['backends'],
  });

/** Validates an assembled config against the contract; throws a zod error naming the bad field. */
export function assertConfig(value: unknown): PgwardenConfig {
  return configSchema.parse(value) as unknown as PgwardenConfig;
}
