/**
 * EngineApi: the one typed façade through which everything above the engine (control plane, PCP commands, CLI,
 * tests) talks to it. The same interface is served in-process (tests, benchmarks) and across the worker boundary
 * (server/main.ts), so it carries only structured-clone-safe data: plain objects, Dates, no class instances.
 */
import type { EngineMetricsSnapshot } from './runtime/metrics';
import type { Actor, ClusteringMode, EngineEvent, NodeSnapshot } from './state/types';

export interface ClusterSnapshot {
  mode: ClusteringMode;
  primaryNodeId: number; // -1 none
  mainNodeId: number; // -1 none
  nodes: NodeSnapshot[];
  /** Failover/failback state machine busy (PCP refuses some actions meanwhile). */
  failoverInProgress: boolean;
  recoveryInProgress: boolean;
  /** Client sessions in use / allowed (num_init_children). */
  clientSessions: { active: number; max: number };
  startedAt: Date;
  version: string;
}

export interface AdminRequest {
  actor: Actor;
  /** Why the operator does this; kept in the audit trail. */
  reason?: string;
}

export interface PoolEntry {
  /** Session slot id ("process" in pgpool terms; pgwarden has no processes per client). */
  poolPid: number;
  startTime: Date;
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

export interface SessionEntry {
  poolPid: number;
  startTime: Date;
  clientConnectionCount: number;
  database: string;
  username: string;
  clientAddress: string;
  applicationName: string;
  backendConnectionTime: Date | null;
  poolCounter: number;
  status: 'Wait for connection' | 'Idle' | 'Idle in transaction' | 'Execute command';
  loadBalanceNode: number;
}

export interface HealthCheckStats {
  nodeId: number;
  totalCount: number;
  successCount: number;
  failCount: number;
  skipCount: number;
  retryCount: number;
  averageRetryCount: number;
  maxRetryCount: number;
  maxDurationMs: number;
  minDurationMs: number;
  averageDurationMs: number;
  lastHealthCheck: Date | null;
  lastSuccessfulHealthCheck: Date | null;
  lastSkipHealthCheck: Date | null;
  lastFailedHealthCheck: Date | null;
}

export interface RecoveryStage {
  name: string; // 'checkpoint' | 'first_stage' | 'block_clients' | 'wait_clients' | 'second_stage' | 'remote_start' | 'wait_postmaster' | 'attach'
  startedAt: Date | null;
  endedAt: Date | null;
  outcome: 'pending' | 'running' | 'ok' | 'failed' | 'skipped' | 'cancelled';
  command?: string;
  exitCode?: number | null;
  output: string;
}

export interface RecoveryRun {
  id: string;
  nodeId: number;
  actor: Actor;
  startedAt: Date;
  endedAt: Date | null;
  outcome: 'running' | 'ok' | 'failed' | 'cancelled';
  error: string | null;
  stages: RecoveryStage[];
}

export type ShutdownMode = 'smart' | 'fast' | 'immediate';

export interface EngineApi {
  snapshot(): Promise<ClusterSnapshot>;
  events(opts?: { sinceId?: number; limit?: number }): Promise<EngineEvent[]>;
  /** Subscribe to the live event stream; returns an unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void;

  detachNode(nodeId: number, req: AdminRequest & { graceful?: boolean }): Promise<void>;
  attachNode(nodeId: number, req: AdminRequest): Promise<void>;
  /** `graceful`: wait for the client sessions to end first (pcp_promote_node -g). */
  promoteNode(
    nodeId: number,
    req: AdminRequest & { switchover?: boolean; graceful?: boolean },
  ): Promise<void>;
  setWeight(nodeId: number, weight: number, req: AdminRequest): Promise<void>;
  /** Starts an online recovery; resolves with the run id at once (follow it through events or recoveryRun). */
  startRecovery(nodeId: number, req: AdminRequest): Promise<string>;
  recoveryRun(runId: string): Promise<RecoveryRun | null>;
  recoveryRuns(): Promise<RecoveryRun[]>;
  cancelRecovery(runId: string, req: AdminRequest): Promise<void>;

  sessions(): Promise<SessionEntry[]>;
  pools(): Promise<PoolEntry[]>;
  healthCheckStats(): Promise<HealthCheckStats[]>;
  /** Latency and health-check histograms, failover/recovery totals (Prometheus /metrics). */
  metrics(): Promise<EngineMetricsSnapshot>;
  /** Effective configuration, passwords masked. */
  effectiveConfig(): Promise<Record<string, unknown>>;
  reload(req: AdminRequest): Promise<{ warnings: string[] }>;
  shutdown(mode: ShutdownMode): Promise<void>;
}
