/**
 * SHOW pool_processes (reference §2): one row per client slot ("process" in pgpool; pgwarden serves clients on an
 * event loop, so a slot is a session slot up to num_init_children), free slots included as pgpool lists idle children. 4.3.5 sends RowDescription twice here; we do not.
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

/** When this process started: the start_time of a slot no client has used yet (pgpool: the child's fork time). */
const STARTED = new Date();

export const showPoolProcesses: AdminCommand = {
  name: 'pool_processes',
  run(ctx) {
    const sessions = ctx.sessions();
    const bySlot = new Map(sessions.map((s) => [s.poolPid, s]));
    // pgpool lists every pre-forked child, busy or not: one row per slot 1..num_init_children, free ones as
    // 'Wait for connection' with empty fields, like a child no client is connected to.
    const slots = Math.max(ctx.config.num_init_children, 0);
    const pids = [
      ...Array.from({ length: slots }, (_, i) => i + 1),
      ...sessions.map((s) => s.poolPid).filter((p) => p < 1 || p > slots),
    ];
    const rows = pids.map((pid) => {
      const s = bySlot.get(pid);
      if (!s) return [String(pid), fmtTime(STARTED), '0', '', '', '', '', 'Wait for connection'];
      return [
        String(s.poolPid),
        fmtTime(s.startTime),
        String(s.clientConnectionCount),
        s.database,
        s.username,
        fmtTime(s.backendConnectionTime),
        String(s.poolCounter),
        // The asking session is answered without a backend, so it looks idle; pgpool's child is executing it.
        s.poolPid === ctx.session.poolPid ? 'Execute command' : s.status,
      ];
    });
    return { columns: POOL_PROCESSES_COLUMNS, rows };
  },
};
