// The baseline: pgbench straight to the primary over TCP (what every proxy's TPS is divided by).

import type { Target, TargetContext } from './target';

export async function startDirect(ctx: TargetContext): Promise<Target> {
  const primary = ctx.cluster.primary;
  return {
    id: 'direct',
    label: 'PostgreSQL 15 primary (direct)',
    host: primary.host,
    port: primary.port,
    pids: () => [],
    memExclude: [],
    unsupported: () => null,
    failure: () => null,
    stop: async () => {},
  };
}
