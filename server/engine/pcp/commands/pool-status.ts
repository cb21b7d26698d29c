/**
 * `B` pool status -> `b` "ArraySize\0"+int32 BE, n x `b` ProcessConfig name/value/desc, `b` CommandComplete
 * (reference §1.5 B: the only ArraySize whose count is binary).
 */
import { arraySizeInt32, commandComplete, stringsPacket } from '../codec';
import { processConfigStrings, type ConfigItem } from '../records';
import type { PcpCommand } from '../types';
import { poolStatusItems } from './pool-status-items';

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
    return { items: poolStatusItems(cfg, snap) };
  },
  encode: (r) => [
    arraySizeInt32('b', r.items.length),
    ...r.items.map((i) => stringsPacket('b', processConfigStrings(i))),
    commandComplete('b'),
  ],
};
