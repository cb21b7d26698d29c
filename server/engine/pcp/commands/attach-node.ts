/**
 * `C "<id>\0"` attach (failback) -> `c` "CommandComplete\0" (reference §1.5 Attach). pgwarden replies when the
 * engine has accepted and processed the failback (EngineApi.attachNode), so a script that attaches and then reads
 * node info sees the new status; pgpool replies before its main process acts.
 */
import { commandComplete } from '../codec';
import { pcpError, type PcpCommand } from '../types';
import { decodeNodeId, findNode, pcpReason } from './common';

export interface NodeIdArgs {
  nodeId: number;
}

export const attachNode: PcpCommand<NodeIdArgs, { nodeId: number }> = {
  name: 'attach_node',
  pcpType: 'C',
  replyType: 'c',
  summary: 'attach a node (failback)',
  decode: decodeNodeId,
  async run(engine, { nodeId }, actor) {
    const snap = await engine.snapshot();
    if (!findNode(snap, nodeId)) {
      throw pcpError(
        'node_not_found',
        `invalid failback request, node id: ${nodeId} is out of range. node id must be between [0 and ${snap.nodes.length - 1}]`,
      );
    }
    await engine.attachNode(nodeId, { actor, reason: pcpReason(`attach node ${nodeId}`, actor) });
    return { nodeId };
  },
  encode: () => [commandComplete('c')],
};
