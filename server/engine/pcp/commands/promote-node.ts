/**
 * `J "<id> \0" + 's'|'n'` promote (`j` = gracefully) -> `d` "CommandComplete\0" (reference §1.5 Promote).
 * `s` (pcp_promote_node -s) is a switchover: NODE_DOWN on the current primary with %m = the node, so
 * failover_command promotes it, then follow_primary_command for the other standbys; `n` only records the node as
 * primary and marks the others down (no failover_command, PostgreSQL not promoted), as pgpool does.
 * `J` replies once the request is queued; `j` (-g) waits for every client session to end, then for the promotion,
 * and replies CommandComplete (with a NOTICE) even when that wait timed out, as pgpool does.
 */
import { atoi, firstCString } from '../codec';
import { commandComplete } from '../codec';
import { pcpError, type PcpCommand } from '../types';
import { findNode, gracefully, pcpReason, whenQueued } from './common';

export interface PromoteNodeArgs {
  nodeId: number;
  switchover: boolean;
  graceful: boolean;
}

export function decodePromote(payload: Buffer, type: string): PromoteNodeArgs {
  const id = firstCString(payload);
  // pgpool skips the id string, its NUL, and reads the option byte that follows.
  const opt = payload.length > id.length + 1 ? String.fromCharCode(payload[id.length + 1]!) : 'n';
  return { nodeId: atoi(id), switchover: opt === 's', graceful: type === 'j' };
}

export const promoteNode: PcpCommand<PromoteNodeArgs, PromoteNodeArgs> = {
  name: 'promote_node',
  pcpType: 'J',
  alsoTypes: ['j'],
  replyType: 'd',
  summary: 'make a standby the primary (-s: switchover, detaching the current primary)',
  decode: decodePromote,
  async run(engine, args, actor, ctx) {
    const { nodeId, switchover, graceful } = args;
    const snap = await engine.snapshot();
    if (!findNode(snap, nodeId)) {
      throw pcpError('node_not_found', 'could not process promote request', `node id ${nodeId} is not valid`);
    }
    if (snap.mode !== 'streaming_replication') {
      throw pcpError(
        'wrong_mode',
        'invalid pgpool mode for process promote request',
        `not in streaming replication mode, can't promote node id ${nodeId}`,
        { severity: 'FATAL' },
      );
    }
    if (nodeId === snap.primaryNodeId) {
      throw pcpError(
        'node_is_primary',
        'invalid promote request',
        `specified node is already primary node, can't promote node id ${nodeId}`,
        { severity: 'FATAL', file: 'pcp_worker.c', line: 1310 },
      );
    }
    const what = `${graceful ? 'graceful ' : ''}${switchover ? 'switchover to' : 'promotion of'} node ${nodeId}`;
    const action = engine.promoteNode(nodeId, {
      actor,
      reason: pcpReason(what, actor),
      switchover,
      graceful,
    });
    await (graceful ? gracefully(action, ctx) : whenQueued(action, ctx));
    return args;
  },
  encode: () => [commandComplete('d')],
};
