/**
 * Configs for router and admin unit tests: the registry's defaults (pgpool 4.3, reference Appendix A) and three
 * backends of weight 1.
 */
import { defaultConfig } from '../config';
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
  // Registry defaults (pgpool 4.3 code defaults, reference Appendix A) so this factory cannot drift from the
  // contract; only the values these tests rely on are written here.
  return {
    ...defaultConfig(),
    settings: {},
    files: { pgpool_conf: '/etc/pgpool.conf', pcp_conf: null, pool_hba_conf: null, pool_passwd: null },
    backends: [testBackend(0), testBackend(1), testBackend(2)],
    failover_command_timeout: 0,
    recovery_user: 'nobody',
    pid_file_name: '/tmp/pgpool.pid',
    dashboard_port: 9000,
    store_url: 'file:/tmp/pgwarden.db',
    data_directory: '/tmp/pgwarden',
    ...overrides,
  };
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
