/** `L` node count -> `l` "CommandComplete\0<NUM_BACKENDS>\0" (reference §1.5 Node count). */
import { commandComplete } from '../codec';
import type { PcpCommand } from '../types';

export interface NodeCountResult {
  /** NUM_BACKENDS: every configured node, down ones included. */
  count: number;
}

export const nodeCount: PcpCommand<Record<string, never>, NodeCountResult> = {
  name: 'node_count',
  pcpType: 'L',
  replyType: 'l',
  summary: 'number of configured backend nodes',
  decode: () => ({}),
  async run(engine) {
    const snap = await engine.snapshot();
    return { count: snap.nodes.length };
  },
  encode: (r) => [commandComplete('l', [String(r.count)])],
};
