/**
 * `C "<id>\0"` attach (failback) -> `c` "CommandComplete\0" (reference §1.5 Attach). Through PCP the reply goes
 * out once the failback is queued, as pgpool's does (the status changes right after); the control plane's call
 * (no ctx) resolves when it is done.
 */
import { commandComplete } from '../codec';
import { pcpError, type PcpCommand } from '../types';
import { decodeNodeId, findNode, pcpReason, whenQueued } from './common';

export interface NodeIdArgs {
  nodeId: number;
}

export const attachNode: PcpCommand<NodeIdArgs, { nodeId: number }> = {
  name: 'attach_node',
  pcpType: 'C',
  replyType: 'c',
  summary: 'attach a node (failback)',
  decode: decodeNodeId,
  async run(engine, { nodeId }, actor, ctx) {
    const snap = await engine.snapshot();
    if (!findNode(snap, nodeId)) {
      throw pcpError(
        'node_not_found',
        `invalid failback request, node id: ${nodeId} is out of range. node id must be between [0 and ${snap.nodes.length - 1}]`,
      );
    }
    await whenQueued(
      engine.attachNode(nodeId, { actor, reason: pcpReason(`attach node ${nodeId}`, actor) }),
      ctx,
    );
    return { nodeId };
  },
  encode: () => [commandComplete('c')],
};
