/**
 * `I "<id>\0"` node info (`-1` = all) -> `i` ArraySize, one `i` NodeInfo per node, `i` CommandComplete
 * (reference §1.5 NodeInfo). Values come from the engine snapshot; nothing is recomputed here.
 */
import type { ClusterSnapshot } from '../../api';
import type { NodeSnapshot } from '../../state/types';
import { arraySizeString, commandComplete, stringsPacket } from '../codec';
import { nodeInfoStrings, type NodeInfoRecord } from '../records';
import { pcpError, type PcpCommand } from '../types';
import { decodeNodeId } from './common';

export interface NodeInfoArgs {
  /** -1 = all nodes. */
  nodeId: number;
}

export interface NodeInfoResult {
  nodes: NodeInfoRecord[];
}

export function toNodeInfoRecord(snap: ClusterSnapshot, n: NodeSnapshot): NodeInfoRecord {
  const streaming = snap.mode === 'streaming_replication' || snap.mode === 'logical_replication';
  return {
    nodeId: n.id,
    hostname: n.hostname,
    port: n.port,
    status: n.status,
    quarantined: n.quarantined,
    pgStatus: n.pgStatus,
    weight: n.normalizedWeight,
    role: n.role,
    // Outside streaming replication pgpool prints the role name as pg_role (§1.5 field 8).
    pgRole: streaming ? n.pgRole : n.role,
    replicationDelay: n.replicationDelayBytes,
    replicationState: n.replicationState,
    replicationSyncState: n.replicationSyncState,
    lastStatusChange: n.lastStatusChange,
  };
}

export const nodeInfo: PcpCommand<NodeInfoArgs, NodeInfoResult> = {
  name: 'node_info',
  pcpType: 'I',
  replyType: 'i',
  summary: 'status, weight, role and replication state of one node or all (-1)',
  decode: decodeNodeId,
  async run(engine, { nodeId }) {
    const snap = await engine.snapshot();
    if (nodeId === -1) return { nodes: snap.nodes.map((n) => toNodeInfoRecord(snap, n)) };
    const node = snap.nodes.find((n) => n.id === nodeId);
    if (!node) {
      throw pcpError('node_not_found', 'informing node info failed', `invalid node ID : ${nodeId}`, {
        file: 'pcp_worker.c',
        line: 843,
      });
    }
    return { nodes: [toNodeInfoRecord(snap, node)] };
  },
  encode: (r) => [
    arraySizeString('i', r.nodes.length),
    ...r.nodes.map((n) => stringsPacket('i', nodeInfoStrings(n))),
    commandComplete('i'),
  ],
};
