/**
 * SHOW pool_processes (reference §2): one row per client slot ("process" in pgpool; pgwarden serves clients on an
 * event loop, so a slot is a session slot up to num_init_children). 4.3.5 sends RowDescription twice here; we do not.
 */
import { fmtTime } from './format';
import type { AdminCommand } from './types';

export const POOL_PROCESSES_COLUMNS = [
  'pool_pid',
  'start_time',
  'client_connection_count',
  'database',
  'username',
  'backend_connection_time',
  'pool_counter',
  'status',
];

export const showPoolProcesses: AdminCommand = {
  name: 'pool_processes',
  run(ctx) {
    const rows = ctx
      .sessions()
      .map((s) => [
        String(s.poolPid),
        fmtTime(s.startTime),
        String(s.clientConnectionCount),
        s.database,
        s.username,
        fmtTime(s.backendConnectionTime),
        String(s.poolCounter),
        s.status,
      ]);
    return { columns: POOL_PROCESSES_COLUMNS, rows };
  },
};
