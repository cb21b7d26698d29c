/**
 * `B` pool status -> `b` "ArraySize\0"+int32 BE, n x `b` ProcessConfig name/value/desc, `b` CommandComplete
 * (reference §1.5 B: the only ArraySize whose count is binary).
 *
 * The items are exactly SHOW pool_status's (admin/show-pool-status.ts, same list, order, formats and
 * descriptions), computed from EngineApi data: the masked effective configuration and the node snapshot. So
 * `pcp_pool_status` and `SHOW pool_status` cannot drift (ARCHITECTURE.md rule 8).
 */
import { showPoolStatus } from '../../admin/show-pool-status';
import type { AdminContext } from '../../admin/types';
import type { PgwardenConfig } from '../../config/types';
import type { ClusterState } from '../../state/cluster-state';
import { arraySizeInt32, commandComplete, stringsPacket } from '../codec';
import { processConfigStrings, type ConfigItem } from '../records';
import type { PcpCommand } from '../types';

export interface PoolStatusResult {
  items: ConfigItem[];
}

export const poolStatus: PcpCommand<Record<string, never>, PoolStatusResult> = {
  name: 'pool_status',
  pcpType: 'B',
  replyType: 'b',
  summary: 'configuration items and backend settings (SHOW pool_status)',
  decode: () => ({}),
  async run(engine) {
    const [cfg, snap] = await Promise.all([engine.effectiveConfig(), engine.snapshot()]);
    // SHOW pool_status reads only `state.nodes` and the config; EngineApi gives both as plain data.
    const ctx: AdminContext = {
      state: { nodes: snap.nodes } as unknown as ClusterState,
      config: cfg as unknown as PgwardenConfig,
      session: { loadBalanceNode: -1, overrides: new Map() },
      sessions: () => [],
      pools: () => [],
      healthCheckStats: () => [],
    };
    const out = showPoolStatus.run(ctx, []);
    const rows = 'rows' in out ? out.rows : [];
    return { items: rows.map(([name = '', value = '', description = '']) => ({ name, value, description })) };
  },
  encode: (r) => [
    arraySizeInt32('b', r.items.length),
    ...r.items.map((i) => stringsPacket('b', processConfigStrings(i))),
    commandComplete('b'),
  ],
};
