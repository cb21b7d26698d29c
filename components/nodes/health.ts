import type { NodeView } from '../api';

export type Health = 'up' | 'waiting' | 'lagging' | 'down' | 'unused';

/**
 * A node's health for the overview: its pgpool status, except that an in-service standby the router skips for
 * replication delay is "lagging" (the engine's reason starts with "lagging", server/engine/router/eligibility.ts).
 */
export function healthOf(n: NodeView): { health: Health; why: string | null } {
  if (n.status === 'down' || n.status === 'unused')
    return { health: n.status, why: n.reason?.message ?? null };
  if (!n.loadBalanceEligible && n.notLoadBalancedReason?.startsWith('lagging'))
    return { health: 'lagging', why: n.notLoadBalancedReason };
  return { health: n.status, why: n.reason?.message ?? n.notLoadBalancedReason };
}
