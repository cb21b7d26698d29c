/**
 * SHOW pool_health_check_stats (reference §2): per-node health check counters from the health-check module. Averages
 * are `%f`, durations integer milliseconds, times `%F %T` ('' when it never happened); a node without statistics
 * (health check disabled) shows zeros.
 */
import type { HealthCheckStats } from '../api';
import { fmtF, fmtTime, statusString } from './format';
import type { AdminCommand } from './types';

export const POOL_HEALTH_CHECK_STATS_COLUMNS = [
  'node_id',
  'hostname',
  'port',
  'status',
  'role',
  'last_status_change',
  'total_count',
  'success_count',
  'fail_count',
  'skip_count',
  'retry_count',
  'average_retry_count',
  'max_retry_count',
  'max_duration',
  'min_duration',
  'average_duration',
  'last_health_check',
  'last_successful_health_check',
  'last_skip_health_check',
  'last_failed_health_check',
];

function empty(nodeId: number): HealthCheckStats {
  return {
    nodeId,
    totalCount: 0,
    successCount: 0,
    failCount: 0,
    skipCount: 0,
    retryCount: 0,
    averageRetryCount: 0,
    maxRetryCount: 0,
    maxDurationMs: 0,
    minDurationMs: 0,
    averageDurationMs: 0,
    lastHealthCheck: null,
    lastSuccessfulHealthCheck: null,
    lastSkipHealthCheck: null,
    lastFailedHealthCheck: null,
  };
}

export const showPoolHealthCheckStats: AdminCommand = {
  name: 'pool_health_check_stats',
  run(ctx) {
    const stats = new Map(ctx.healthCheckStats().map((s) => [s.nodeId, s]));
    const rows = ctx.state.nodes.map((n) => {
      const s = stats.get(n.id) ?? empty(n.id);
      return [
        String(n.id),
        n.hostname,
        String(n.port),
        statusString(n),
        n.role,
        fmtTime(n.lastStatusChange),
        String(s.totalCount),
        String(s.successCount),
        String(s.failCount),
        String(s.skipCount),
        String(s.retryCount),
        fmtF(s.averageRetryCount),
        String(s.maxRetryCount),
        String(Math.round(s.maxDurationMs)),
        String(Math.round(s.minDurationMs)),
        fmtF(s.averageDurationMs),
        fmtTime(s.lastHealthCheck),
        fmtTime(s.lastSuccessfulHealthCheck),
        fmtTime(s.lastSkipHealthCheck),
        fmtTime(s.lastFailedHealthCheck),
      ];
    });
    return { columns: POOL_HEALTH_CHECK_STATS_COLUMNS, rows };
  },
};
