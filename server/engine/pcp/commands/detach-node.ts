/**
 * `D "<id>\0"` detach, `d` detach gracefully (wait for client sessions to end) -> `d` "CommandComplete\0"
 * (reference §1.5 Detach). pgpool's validation messages are reproduced before the engine is asked; a PCP detach is
 * REQ_DETAIL_CONFIRMED (no watchdog consensus), which EngineApi.detachNode implies for an admin actor.
 * Reply timing as pgpool's: `D` once the failover is queued; `d` after the sessions have ended and the failover
 * has run, and also (with a NOTICE) when the wait timed out and nothing was done.
 */
import { NODE_STATUS_CODE } from '../../state/types';
import { commandComplete } from '../codec';
import { pcpError, type PcpCommand } from '../types';
import { decodeNodeId, findNode, gracefully, pcpReason, whenQueued } from './common';

export interface DetachNodeArgs {
  nodeId: number;
  /** `d` / `pcp_detach_node -g`. */
  graceful: boolean;
}

export const detachNode: PcpCommand<DetachNodeArgs, DetachNodeArgs> = {
  name: 'detach_node',
  pcpType: 'D',
  alsoTypes: ['d'],
  replyType: 'd',
  summary: 'detach a node (failover), optionally after its client sessions end',
  decode: (payload, type) => ({ ...decodeNodeId(payload), graceful: type === 'd' }),
  async run(engine, { nodeId, graceful }, actor, ctx) {
    const snap = await engine.snapshot();
    const node = findNode(snap, nodeId);
    if (!node) {
      throw pcpError(
        'node_not_found',
        `invalid degenerate backend request, node id: ${nodeId} is out of range. node id must be between [0 and ${snap.nodes.length - 1}]`,
      );
    }
    const valid = node.status === 'up' || node.status === 'waiting' || node.quarantined;
    if (!valid) {
      throw pcpError(
        'node_already_down',
        `invalid degenerate backend request, node id : ${nodeId} status: [${NODE_STATUS_CODE[node.status]}] is not valid for failover`,
      );
    }
    if (!node.flags.allowToFailover) {
      throw pcpError(
        'failover_disallowed',
        `degenerate backend request for node_id: ${nodeId} from pid [${process.pid}] is canceled because failover is disallowed on the node`,
      );
    }
    const what = `${graceful ? 'graceful ' : ''}detach of node ${nodeId}`;
    const action = engine.detachNode(nodeId, { actor, reason: pcpReason(what, actor), graceful });
    await (graceful ? gracefully(action, ctx) : whenQueued(action, ctx));
    return { nodeId, graceful };
  },
  encode: () => [commandComplete('d')],
};
