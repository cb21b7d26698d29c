/**
 * SHOW pool_pools (reference §2): one row per cached backend connection (slot × pool × backend). pool_connected is
 * `%d` (1/0); client_idle_duration whole seconds. client_connection_count comes from the slot's session entry.
 */
import { fmtTime } from './format';
import type { AdminCommand } from './types';

export const POOL_POOLS_COLUMNS = [
  'pool_pid',
  'start_time',
  'client_connection_count',
  'pool_id',
  'backend_id',
  'database',
  'username',
  'backend_connection_time',
  'client_connection_time',
  'client_disconnection_time',
  'client_idle_duration',
  'majorversion',
  'minorversion',
  'pool_counter',
  'pool_backendpid',
  'pool_connected',
  'status',
];

export const showPoolPools: AdminCommand = {
  name: 'pool_pools',
  run(ctx) {
    const sessions = new Map(ctx.sessions().map((s) => [s.poolPid, s]));
    const counts = new Map([...sessions.values()].map((s) => [s.poolPid, s.clientConnectionCount]));
    // pgpool's status column is the owning child's state: a connection in use shows its session's state, a cached
    // one (no client) 'Wait for connection', as a pgpool child waiting with its pool.
    const status = (p: { poolPid: number; status: string }): string =>
      (p.poolPid === ctx.session.poolPid ? 'Execute command' : sessions.get(p.poolPid)?.status) ??
      (p.status === 'cached' || p.poolPid < 0 ? 'Wait for connection' : p.status);
    const rows = ctx
      .pools()
      .map((p) => [
        String(p.poolPid),
        fmtTime(p.startTime),
        String(counts.get(p.poolPid) ?? 0),
        String(p.poolId),
        String(p.backendId),
        p.database,
        p.username,
        fmtTime(p.backendConnectionTime),
        fmtTime(p.clientConnectionTime),
        fmtTime(p.clientDisconnectionTime),
        String(Math.trunc(p.clientIdleDuration)),
        String(p.majorVersion),
        String(p.minorVersion),
        String(p.poolCounter),
        String(p.backendPid),
        p.connected ? '1' : '0',
        status(p),
      ]);
    return { columns: POOL_POOLS_COLUMNS, rows };
  },
};
