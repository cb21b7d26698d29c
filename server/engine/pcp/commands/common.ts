/** Helpers shared by the PCP commands: payload decoding as pgpool does it, and pgpool's pre-checks. */
import type { ClusterSnapshot } from '../../api';
import type { Actor, NodeSnapshot } from '../../state/types';
import { atoi, firstCString } from '../codec';
import { pcpError } from '../types';

/** pgpool MAX_NUM_BACKENDS: the range pgpool's messages quote. */
export const MAX_NUM_BACKENDS = 128;

/** `"<id>\0"` -> number, with C atoi semantics (pgpool never rejects a non-numeric id, it reads 0). */
export function decodeNodeId(payload: Buffer): { nodeId: number } {
  return { nodeId: atoi(firstCString(payload)) };
}

export function findNode(snap: ClusterSnapshot, id: number): NodeSnapshot | undefined {
  return snap.nodes.find((n) => n.id === id);
}

/** The audit reason of an admin action done through PCP. */
export function pcpReason(what: string, actor: Actor): string {
  return `${what} requested by PCP user "${actor.name}"`;
}

/**
 * pgpool refuses O (recovery) and T (stop) while a failover/failback is being processed (reference §1.4 note).
 */
export function refuseWhileFailover(snap: ClusterSnapshot): void {
  if (snap.failoverInProgress) {
    throw pcpError(
      'failover_in_progress',
      'failed to process PCP request at the moment',
      'failover is in progress',
    );
  }
}
