/** SHOW pool_backend_stats (reference §2): per-node statement and error counters (router/counters.ts fills them). */
import { statusString } from './format';
import type { AdminCommand } from './types';

export const POOL_BACKEND_STATS_COLUMNS = [
  'node_id',
  'hostname',
  'port',
  'status',
  'role',
  'select_cnt',
  'insert_cnt',
  'update_cnt',
  'delete_cnt',
  'ddl_cnt',
  'other_cnt',
  'panic_cnt',
  'fatal_cnt',
  'error_cnt',
];

export const showPoolBackendStats: AdminCommand = {
  name: 'pool_backend_stats',
  run({ state }) {
    const rows = state.nodes.map((n) => {
      const c = n.counters;
      return [
        String(n.id),
        n.hostname,
        String(n.port),
        statusString(n),
        n.role,
        ...[c.select, c.insert, c.update, c.delete, c.ddl, c.other, c.panic, c.fatal, c.error].map(String),
      ];
    });
    return { columns: POOL_BACKEND_STATS_COLUMNS, rows };
  },
};
