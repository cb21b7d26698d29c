/**
 * How other modules ask for a node status change. Every request carries its reason; the failover state machine
 * (failover/) serialises them (reference §3.3) and records the outcome as events.
 */
import type { Actor, Reason } from '../state/types';

export interface NodeDownRequest {
  nodeIds: number[];
  reason: Reason;
  actor?: Actor;
  /** pgpool REQ_DETAIL_SWITCHOVER: partial restart allowed (only sessions using the node are closed). */
  switchover?: boolean;
  /** pgpool REQ_DETAIL_CONFIRMED: skip watchdog consensus (admin actions, replication mismatches). */
  confirmed?: boolean;
  /** Graceful detach (pcp_detach_node -g): wait for sessions to end before detaching. */
  graceful?: boolean;
}

export interface FailoverRequester {
  /** Queue a NODE_DOWN request; resolves when the failover that handles it has finished. */
  requestNodeDown(req: NodeDownRequest): Promise<void>;
  /** Queue a NODE_UP (failback / attach) request. */
  requestNodeUp(nodeId: number, reason: Reason, actor?: Actor): Promise<void>;
  /** pcp_promote_node: make nodeId the primary; with switchover the current primary is detached first. */
  requestPromote(nodeId: number, opts: { switchover: boolean; reason: Reason; actor?: Actor }): Promise<void>;
  /** True while a failover/failback is being processed. */
  readonly busy: boolean;
  /** While a failover of the primary runs: resolves once the new primary is set (bounded). */
  primarySettled?(maxMs?: number): Promise<void>;
  /**
   * The proxy opened a backend connection to the node: a `waiting` node becomes `up` (pgpool's CON_CONNECT_WAIT ->
   * CON_UP on a child's first connection, reference §3.1). Cheap and synchronous; not queued.
   */
  nodeConnected?(nodeId: number): void;
}

/** Sessions subscribe to this to close themselves when a node they use goes down (partial restart, §3.7). */
export interface SessionTerminator {
  /** Close sessions using any of these nodes (all sessions when `all`), each with an ErrorResponse saying why. */
  terminateSessions(opts: { nodeIds?: number[]; all?: boolean; message: string }): number;
}
