/**
 * SHOW pool_nodes (reference §2, pgpool `get_nodes`): one row per configured backend. role: SR primary/standby by
 * primary_node_id (every node standby when there is no primary), other modes main/replica; pg_role: SR live
 * pg_is_in_recovery from sr_check (of every node, detached ones too), `unknown` when sr_check_period = 0 or the
 * node does not answer; other modes the role string;
 * load_balance_node: `true` only for the asking session's LB node; replication_delay 0 for the primary / non-SR;
 * replication_state / replication_sync_state from the primary's pg_stat_replication while sr_check runs, empty for a
 * standby that is not in it (stopped: regression 003).
 */
import { fmtBool, fmtF, fmtTime, statusString } from './format';
import type { AdminCommand } from './types';

export const POOL_NODES_COLUMNS = [
  'node_id',
  'hostname',
  'port',
  'status',
  'pg_status',
  'lb_weight',
  'role',
  'pg_role',
  'select_cnt',
  'load_balance_node',
  'replication_delay',
  'replication_state',
  'replication_sync_state',
  'last_status_change',
];

export const showPoolNodes: AdminCommand = {
  name: 'pool_nodes',
  run(ctx) {
    const { state, config, session } = ctx;
    const sr = state.mode === 'streaming_replication';
    const rows = state.nodes.map((n) => {
      const isStandby = sr && n.id !== state.primaryNodeId;
      // pg_stat_replication facts and pg_role come from sr_check (none when it is disabled). They describe
      // PostgreSQL, not pgpool's view: a detached standby that still streams shows standby / streaming in
      // pgpool 4.3.5 too; a stopped one is unknown with no replication row (sr_check samples every node).
      const replInfo = isStandby && config.sr_check_period > 0;
      const pgRole = state.isStreaming() ? (config.sr_check_period === 0 ? 'unknown' : n.pgRole) : n.role;
      return [
        String(n.id),
        n.hostname,
        String(n.port),
        statusString(n),
        n.pgStatus,
        fmtF(n.normalizedWeight),
        n.role,
        pgRole,
        String(n.counters.select),
        fmtBool(n.id === session.loadBalanceNode),
        isStandby ? String(Math.max(0, Math.trunc(n.replicationDelayBytes))) : '0',
        replInfo ? n.replicationState : '',
        replInfo ? n.replicationSyncState : '',
        fmtTime(n.lastStatusChange),
      ];
    });
    return { columns: POOL_NODES_COLUMNS, rows };
  },
};
