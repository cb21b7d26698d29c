// vitest integration: one cluster per test file.

import { afterAll, beforeAll } from 'vitest';
import { createCluster } from './cluster';
import type { ClusterHandle, CreateClusterOptions, PgCluster } from './types';

/**
 * vitest: creates the cluster in beforeAll and destroys it in afterAll (also when tests fail).
 * `const pgc = useCluster({ mode: 'streaming', nodes: 3 }); it('...', () => pgc.primary.query(...))`
 */
export function useCluster(opts: CreateClusterOptions): ClusterHandle {
  let cluster: PgCluster | undefined;
  beforeAll(async () => {
    cluster = await createCluster(opts);
  }, opts.timeoutMs ?? 120_000);
  afterAll(async () => {
    await cluster?.destroy();
    cluster = undefined;
  }, 60_000);
  const must = (): PgCluster => {
    if (!cluster)
      throw new Error('pg-cluster: cluster not created yet (use it inside tests, after beforeAll)');
    return cluster;
  };
  return {
    get cluster() {
      return must();
    },
    get primary() {
      return must().primary;
    },
    get nodes() {
      return must().nodes;
    },
  };
}
