/**
 * `H "<id>\0"` health-check statistics -> `h` "CommandComplete\0" + 20 strings (reference §1.5 H). A configured
 * node the engine has no statistics for yet (health_check_period = 0) reports zeros, as pgpool's shared memory does.
 */
import type { HealthCheckStats } from '../../api';
import { commandComplete } from '../codec';
import { healthCheckStatsStrings, type HealthCheckStatsRecord } from '../records';
import { pcpError, type PcpCommand } from '../types';
import { decodeNodeId } from './common';

export interface HealthCheckStatsArgs {
  nodeId: number;
}

const FAILED = 'informing health check stats info failed';

/** pgpool's zeroed shared-memory slot of a node never health-checked. */
function emptyStats(nodeId: number): HealthCheckStats {
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

export const healthCheckStats: PcpCommand<HealthCheckStatsArgs, HealthCheckStatsRecord> = {
  name: 'health_check_stats',
  pcpType: 'H',
  replyType: 'h',
  summary: 'health-check counters and timings of one node',
  decode: decodeNodeId,
  async run(engine, { nodeId }) {
    const snap = await engine.snapshot();
    // pgpool checks `node_id > NUM_BACKENDS` (not >=), so NUM_BACKENDS itself reaches the "does not exist" branch.
    if (nodeId < 0 || nodeId > snap.nodes.length)
      throw pcpError('node_not_found', FAILED, `invalid node ID ${nodeId}`);
    const node = snap.nodes.find((n) => n.id === nodeId);
    if (!node) throw pcpError('node_not_found', FAILED, `stats data for node ID ${nodeId} does not exist`);
    const stats = (await engine.healthCheckStats()).find((s) => s.nodeId === nodeId);
    const streaming = snap.mode === 'streaming_replication' || snap.mode === 'logical_replication';
    return {
      hostname: node.hostname,
      port: node.port,
      status: node.quarantined ? 'quarantine' : node.status,
      role: streaming ? (node.role === 'primary' ? 'primary' : 'standby') : node.role,
      lastStatusChange: node.lastStatusChange,
      ...(stats ?? emptyStats(nodeId)),
      nodeId,
    };
  },
  encode: (r) => [commandComplete('h', healthCheckStatsStrings(r))],
};
