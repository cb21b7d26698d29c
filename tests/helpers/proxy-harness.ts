// Test harness for the proxy: builds a PgwardenConfig for a pg-cluster (through the config module's defaultConfig),
// a ClusterState with every node up, starts the proxy in-process, and stops it afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { defaultConfig, type DefaultConfigInput } from '../../server/engine/config/index';
import type { PgwardenConfig } from '../../server/engine/config/types';
import { startProxy, type ProxyDeps, type ProxyServer } from '../../server/engine/proxy';
import { createLogger } from '../../server/engine/runtime/logger';
import { ClusterState } from '../../server/engine/state/cluster-state';
import type { PgCluster } from './pg-cluster';

export interface TestProxy {
  proxy: ProxyServer;
  state: ClusterState;
  config: PgwardenConfig;
  port: number;
  socketDir: string;
  url(user?: string, password?: string, db?: string, extra?: string): string;
  client(opts?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
}

export async function startTestProxy(
  cluster: PgCluster,
  over: DefaultConfigInput = {},
  depsOrFactory:
    | Partial<Omit<ProxyDeps, 'config' | 'state'>>
    | ((
        config: PgwardenConfig,
        state: ClusterState,
      ) => Promise<Partial<Omit<ProxyDeps, 'config' | 'state'>>>) = {},
): Promise<TestProxy> {
  const socketDir = mkdtempSync(path.join(os.tmpdir(), 'pgwarden-proxy-'));
  const mode = cluster.mode === 'streaming' ? 'streaming_replication' : 'native_replication';
  // port 0 (an ephemeral port chosen at listen) is not a valid pgpool.conf value, so it is set after validation.
  const base = defaultConfig({
    listen_addresses: '127.0.0.1',
    socket_dir: socketDir,
    backend_clustering_mode: mode,
    num_init_children: 64,
    authentication_timeout: 10,
    backends: cluster.nodes.map((n) => ({ hostname: '127.0.0.1', port: n.port })),
    ...over,
  });
  const config: PgwardenConfig = { ...base, port: over.port ?? 0 };
  const state = new ClusterState(config.backend_clustering_mode, config.backends);
  for (const n of state.nodes) state.setStatus(n.id, 'up', null);
  if (state.isStreaming()) state.setPrimary(0, null);
  const logger = createLogger({ level: process.env.PGWARDEN_TEST_LOG ? 'debug' : 'fatal' });
  const deps = typeof depsOrFactory === 'function' ? await depsOrFactory(config, state) : depsOrFactory;
  const proxy = await startProxy({ config, state, logger, ...deps });
  const port = proxy.port;
  return {
    proxy,
    state,
    config,
    port,
    socketDir,
    url: (user = 'postgres', password = '', db = 'postgres', extra = '') =>
      `postgresql://${encodeURIComponent(user)}${password ? ':' + encodeURIComponent(password) : ''}@127.0.0.1:${port}/${db}${extra}`,
    async client(opts = {}) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', ...opts });
      await c.connect();
      return c;
    },
    async stop(mode = 'immediate') {
      await proxy.close(mode);
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
