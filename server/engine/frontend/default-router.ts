/**
 * Built-in router used when none is injected (raw mode, or until the statement Router is wired): every statement
 * goes to the primary (streaming) or main node (other modes), and the session's load-balance node is that node too.
 * It never parses SQL, so it costs nothing on the hot path.
 */
import type { ClusterState } from '../state/cluster-state';
import type { Router, SessionRouteContext, StatementClass, StatementRoute } from '../router/types';

const WRITE: StatementClass = {
  kind: 'write',
  counter: 'other',
  txEffect: 'none',
  tables: [],
  functions: [],
  why: 'built-in router: every statement to the primary/main node',
};

export function createDefaultRouter(state: ClusterState): Router {
  const target = (): number => (state.mode === 'raw' ? state.mainNodeId : state.effectivePrimaryId);
  return {
    classify: () => WRITE,
    chooseLoadBalanceNode: () => target(),
    route: (cls: StatementClass, _ctx: SessionRouteContext): StatementRoute => {
      const n = target();
      return { targets: [n], replyFrom: n, cls, why: 'primary/main node' };
    },
  };
}
