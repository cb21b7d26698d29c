/** Helpers shared by the PCP commands: payload decoding as pgpool does it, and pgpool's pre-checks. */
import type { ClusterSnapshot } from '../../api';
import type { Actor, NodeSnapshot } from '../../state/types';
import { atoi, firstCString } from '../codec';
import { isEngineError } from '../../errors';
import { pcpError, type PcpRunContext } from '../types';

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

/**
 * pgpool's reply timing for attach, detach and non-graceful promote (reference §1.5: "reply immediately"): with
 * `ctx.replyWhenQueued` (a PCP connection) the reply goes out once the engine has validated and queued the request;
 * a refusal the engine makes before queueing still comes back as an ERROR. What happens next is recorded as events
 * (admin_action, failover_*). Without it (control plane) this resolves when the action is done.
 */
export async function whenQueued(action: Promise<void>, ctx: PcpRunContext | undefined): Promise<void> {
  if (!ctx?.replyWhenQueued) return action;
  let refusal: { error: unknown } | null = null;
  action.catch((error: unknown) => {
    refusal ??= { error };
  });
  // AdminActions validates synchronously, so a refusal has rejected once the pending microtasks have run.
  await new Promise((r) => setImmediate(r));
  if (refusal) throw (refusal as { error: unknown }).error;
}

/**
 * Graceful detach/promote through PCP: pgpool replies CommandComplete even when the wait for sessions times out and
 * the action is skipped (its return value is ignored). pgwarden does the same, plus a NOTICE saying so (libpcp shows
 * it with -d; the runbook subcommands print it and exit non-zero because the node did not change).
 */
export async function gracefully(action: Promise<void>, ctx: PcpRunContext | undefined): Promise<void> {
  try {
    await action;
  } catch (e) {
    if (!ctx?.replyWhenQueued || !isEngineError(e) || e.code !== 'timeout') throw e;
    ctx.notice?.(e.message, 'the request was not carried out');
  }
}
