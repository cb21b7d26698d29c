/**
 * SHOW pool_backend_stats / pool_nodes select_cnt counters (reference §2): the proxy calls countStatement once per
 * statement and node it was sent to. Same buckets as pgpool's `stat_count_up`: SELECT, INSERT, UPDATE, DELETE, DDL,
 * everything else.
 */
import type { ClusterState } from '../state/cluster-state';
import type { StatementClass } from './types';

export function countStatement(
  state: ClusterState,
  nodeId: number,
  cls: Pick<StatementClass, 'counter'>,
): void {
  const node = state.nodes[nodeId];
  if (node) node.counters[cls.counter]++;
}

/** pgpool counts error responses by severity (panic_cnt, fatal_cnt, error_cnt). */
export function countError(state: ClusterState, nodeId: number, severity: 'PANIC' | 'FATAL' | 'ERROR'): void {
  const node = state.nodes[nodeId];
  if (!node) return;
  if (severity === 'PANIC') node.counters.panic++;
  else if (severity === 'FATAL') node.counters.fatal++;
  else node.counters.error++;
}
