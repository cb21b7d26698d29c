/**
 * Typed records of the PCP replies and their wire form (reference §1.5), shared by the server commands (encode) and
 * the TypeScript PCP client (decode). Field order is pgpool 4.3.5's; each wire function cites its section.
 */
import type { HealthCheckStats } from '../api';
import type { NodeRole, NodeStatus } from '../state/types';
import { NODE_STATUS_CODE } from '../state/types';
import { epochSeconds, formatFloat, formatTimestamp, RAND_MAX, PcpTag } from './codec';

/** pgpool SERVER_ROLE codes: 0 main, 1 replica, 2 primary, 3 standby. */
export const ROLE_CODE: Record<NodeRole, number> = { main: 0, replica: 1, primary: 2, standby: 3 };
const ROLE_BY_CODE: NodeRole[] = ['main', 'replica', 'primary', 'standby'];
const STATUS_BY_CODE: NodeStatus[] = ['unused', 'waiting', 'up', 'down'];

export interface NodeInfoRecord {
  nodeId: number;
  hostname: string;
  port: number;
  status: NodeStatus;
  quarantined: boolean;
  /** Live ping: up / down / unknown. */
  pgStatus: string;
  /** Normalized load-balance weight, 0..1 (scaled by RAND_MAX on the wire). */
  weight: number;
  role: NodeRole;
  /** What the node says (SR: pg_is_in_recovery) or, outside SR, the role name. */
  pgRole: string;
  /** Standby delay in bytes of WAL. */
  replicationDelay: number;
  replicationState: string;
  replicationSyncState: string;
  lastStatusChange: Date;
}

/** `"NodeInfo\0"` + 12 strings (reference §1.5 NodeInfo table). */
export function nodeInfoStrings(r: NodeInfoRecord): string[] {
  return [
    PcpTag.NodeInfo,
    r.hostname,
    String(r.port),
    String(NODE_STATUS_CODE[r.status]),
    r.quarantined ? '1' : '0',
    r.pgStatus,
    formatFloat(r.weight * RAND_MAX),
    String(ROLE_CODE[r.role]),
    r.pgRole,
    String(Math.max(0, Math.trunc(r.replicationDelay))),
    r.replicationState,
    r.replicationSyncState,
    epochSeconds(r.lastStatusChange),
  ];
}

export function parseNodeInfoStrings(nodeId: number, s: readonly string[]): NodeInfoRecord {
  const get = (i: number): string => s[i] ?? '';
  return {
    nodeId,
    hostname: get(1),
    port: Number(get(2)),
    status: STATUS_BY_CODE[Number(get(3))] ?? 'unused',
    quarantined: get(4) === '1',
    pgStatus: get(5),
    // The wire carries weight x RAND_MAX with six decimals; six decimals is all the precision there is.
    weight: Number((Number(get(6)) / RAND_MAX).toFixed(6)),
    role: ROLE_BY_CODE[Number(get(7))] ?? 'standby',
    pgRole: get(8),
    replicationDelay: Number(get(9)),
    replicationState: get(10),
    replicationSyncState: get(11),
    lastStatusChange: new Date(Number(get(12)) * 1000),
  };
}

/**
 * EngineApi's HealthCheckStats (the one shape of the counters) plus what the PCP reply adds from the node snapshot.
 */
export interface HealthCheckStatsRecord extends HealthCheckStats {
  hostname: string;
  port: number;
  /** up / down / waiting / unused / quarantine */
  status: string;
  /** primary / standby (SR) or main / replica */
  role: string;
  lastStatusChange: Date;
}

/** 20 strings after CommandComplete, order of `pool_health_check_stats_offsets` (§1.5 H). */
export function healthCheckStatsStrings(r: HealthCheckStatsRecord): string[] {
  const int = (n: number): string => String(Math.trunc(n));
  return [
    String(r.nodeId),
    r.hostname,
    String(r.port),
    r.status,
    r.role,
    formatTimestamp(r.lastStatusChange),
    int(r.totalCount),
    int(r.successCount),
    int(r.failCount),
    int(r.skipCount),
    int(r.retryCount),
    formatFloat(r.averageRetryCount),
    int(r.maxRetryCount),
    int(r.maxDurationMs),
    int(r.minDurationMs),
    formatFloat(r.averageDurationMs),
    formatTimestamp(r.lastHealthCheck),
    formatTimestamp(r.lastSuccessfulHealthCheck),
    formatTimestamp(r.lastSkipHealthCheck),
    formatTimestamp(r.lastFailedHealthCheck),
  ];
}

/** One ProcessInfo record: pgwarden maps a client session slot's backend connection to pgpool's pool slot. */
export interface ProcessInfoRecord {
  poolPid: number;
  startTime: Date;
  clientConnectionCount: number;
  poolId: number;
  backendId: number;
  database: string;
  username: string;
  backendConnectionTime: Date | null;
  clientConnectionTime: Date | null;
  clientDisconnectionTime: Date | null;
  clientIdleDuration: number;
  majorVersion: number;
  minorVersion: number;
  poolCounter: number;
  backendPid: number;
  connected: boolean;
  status: string;
}

/** `"ProcessInfo\0"` + 17 strings, order of `pool_report_pools_offsets` (§1.5 P). */
export function processInfoStrings(r: ProcessInfoRecord): string[] {
  return [
    PcpTag.ProcessInfo,
    String(r.poolPid),
    formatTimestamp(r.startTime),
    String(r.clientConnectionCount),
    String(r.poolId),
    String(r.backendId),
    r.database,
    r.username,
    formatTimestamp(r.backendConnectionTime),
    formatTimestamp(r.clientConnectionTime),
    formatTimestamp(r.clientDisconnectionTime),
    String(Math.trunc(r.clientIdleDuration)),
    String(r.majorVersion),
    String(r.minorVersion),
    String(r.poolCounter),
    String(r.backendPid),
    r.connected ? '1' : '0',
    r.status,
  ];
}

export interface ConfigItem {
  name: string;
  value: string;
  description: string;
}

/** The client copies name/value/desc into 64/512/80-byte buffers; longer strings are cut there (§1.5 B). */
export function processConfigStrings(item: ConfigItem): string[] {
  return [PcpTag.ProcessConfig, cut(item.name, 63), cut(item.value, 511), cut(item.description, 79)];
}

function cut(s: string, maxBytes: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= maxBytes) return s;
  // Never split a UTF-8 sequence: back off to a character boundary.
  let end = maxBytes;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}
