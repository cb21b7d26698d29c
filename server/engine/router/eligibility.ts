/**
 * Which nodes receive load-balanced reads right now, and why not (reference §5 "Delay and LB"): a node is not load
 * balanced when it is down/unused, when its backend_weight is 0, or when it is a standby lagging more than
 * `delay_threshold` bytes (or, pgwarden extension, `delay_threshold_by_time` seconds of replay lag).
 *
 * Hysteresis (pgwarden extension): a node marked lagging becomes eligible again only once its delay falls below
 * RECOVER_FRACTION (80%) of the threshold, so a standby hovering around the threshold does not flap between receiving
 * and not receiving reads at every sr_check. pgpool 4.3 compares with the threshold alone.
 *
 * `refreshEligibility` is called by the sr_check loop after it updates the delays; routing uses `isLagging` on the live
 * values, so both agree even between two checks.
 */
import type { PgwardenConfig } from '../config/types';
import type { ClusterState } from '../state/cluster-state';
import type { NodeSnapshot } from '../state/types';

export const RECOVER_FRACTION = 0.8;
const LAGGING_PREFIX = 'lagging';

export type DelayConfig = Pick<PgwardenConfig, 'delay_threshold' | 'delay_threshold_by_time'>;

function wasLagging(node: NodeSnapshot): boolean {
  return node.notLoadBalancedReason?.startsWith(LAGGING_PREFIX) === true;
}

/** The lag description if the standby is (still) lagging, else null. Primaries and non-SR modes never lag. */
export function lagReason(state: ClusterState, node: NodeSnapshot, config: DelayConfig): string | null {
  if (state.mode !== 'streaming_replication' || node.id === state.primaryNodeId) return null;
  const sticky = wasLagging(node);
  const bytesLimit = config.delay_threshold;
  if (bytesLimit > 0) {
    const limit = sticky ? bytesLimit * RECOVER_FRACTION : bytesLimit;
    if (sticky ? node.replicationDelayBytes >= limit : node.replicationDelayBytes > limit) {
      return `${LAGGING_PREFIX} ${node.replicationDelayBytes} bytes behind the primary (delay_threshold ${bytesLimit}${sticky ? `, eligible again below ${Math.floor(limit)}` : ''})`;
    }
  }
  const secLimit = config.delay_threshold_by_time;
  const secs = node.replicationDelaySeconds;
  if (secLimit > 0 && secs !== null) {
    const limit = sticky ? secLimit * RECOVER_FRACTION : secLimit;
    if (sticky ? secs >= limit : secs > limit) {
      return `${LAGGING_PREFIX} ${secs} s behind the primary (delay_threshold_by_time ${secLimit}${sticky ? `, eligible again below ${limit}` : ''})`;
    }
  }
  return null;
}

export function isLagging(state: ClusterState, node: NodeSnapshot, config: DelayConfig): boolean {
  return lagReason(state, node, config) !== null;
}

/** Why `node` does not get load-balanced reads, or null when it does. */
export function notLoadBalancedReason(
  state: ClusterState,
  node: NodeSnapshot,
  config: DelayConfig,
): string | null {
  if (!state.isValid(node.id)) return `node is ${node.status}`;
  if (node.weight <= 0) return 'backend_weight is 0';
  return lagReason(state, node, config);
}

/**
 * Recomputes `loadBalanceEligible` / `notLoadBalancedReason` of every node (the dashboard shows them). Returns the ids
 * whose eligibility changed, so the caller can log "node 2 no longer load balanced: lagging ...".
 */
export function refreshEligibility(state: ClusterState, config: DelayConfig): number[] {
  const changed: number[] = [];
  for (const node of state.nodes) {
    const reason = notLoadBalancedReason(state, node, config);
    const eligible = reason === null;
    if (eligible !== node.loadBalanceEligible) changed.push(node.id);
    node.loadBalanceEligible = eligible;
    node.notLoadBalancedReason = reason;
  }
  return changed;
}
