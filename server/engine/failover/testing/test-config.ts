/**
 * A complete PgwardenConfig for failover/health tests: the registry's defaults (pgpool 4.3, reference Appendix A)
 * and the nodes given. Tests override what they exercise.
 */
import { defaultConfig } from '../../config';
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
  // Registry defaults (pgpool 4.3 code defaults) so this factory cannot drift from the contract; written here are
  // only the values these tests rely on: ephemeral ports, no sockets/files, a fast sr_check and primary search.
  return {
    ...defaultConfig(),
    files: { pgpool_conf: '<test>', pcp_conf: null, pool_hba_conf: null, pool_passwd: null },
    port: 0,
    socket_dir: '',
    pcp_port: 0,
    pcp_socket_dir: '',
    pool_passwd: '',
    backends,
    sr_check_period: 1,
    sr_check_user: 'postgres',
    search_primary_node_timeout: 30,
    failover_command_timeout: 60,
    recovery_user: 'postgres',
    logdir: '',
    pid_file_name: '',
    dashboard_port: 0,
    store_url: '',
    data_directory: '',
    ...rest,
  };
}
