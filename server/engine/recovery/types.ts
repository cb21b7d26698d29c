/**
 * Online recovery vocabulary (reference §6): the stage names of a run, and the narrow interfaces the run needs from
 * the rest of the engine, so it can be driven by fakes in unit tests.
 */
import type { PgwardenConfig } from '../config/types';
import type { PasswordLookup } from '../health/pg-connect';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import type { Actor, Reason } from '../state/types';

export type StageName =
  | 'checkpoint'
  | 'first_stage'
  | 'block_clients'
  | 'wait_clients'
  | 'second_stage'
  | 'remote_start'
  | 'wait_postmaster'
  | 'attach'
  | 'unblock';

/** Streaming replication: 1st stage only (reference §5, §6.2). */
export const STREAMING_STAGES: StageName[] = ['first_stage', 'remote_start', 'wait_postmaster', 'attach'];

/** Native replication / snapshot isolation: the two-stage sequence of §6.2 steps 1-9. */
export const NATIVE_STAGES: StageName[] = [
  'checkpoint',
  'first_stage',
  'block_clients',
  'wait_clients',
  'checkpoint',
  'second_stage',
  'remote_start',
  'wait_postmaster',
  'attach',
  'unblock',
];

/** The proxy's client sessions as online recovery sees them (pgpool's conn_counter and accept() switch). */
export interface ClientGate {
  /** Stop admitting new sessions: they wait in the proxy's queue. */
  block(): void;
  unblock(): void;
  /** Client sessions currently open (waiting clients excluded). */
  activeSessions(): number;
  /**
   * client_idle_limit_in_recovery: close sessions idle (not in a transaction) for at least `idleSeconds`
   * (0 = idle now). Returns how many were closed.
   */
  closeIdleSessions(idleSeconds: number): number;
}

/** The failback request (pgpool: send_failback_request NODE_UP, CONFIRMED). */
export interface NodeAttacher {
  requestNodeUp(nodeId: number, reason: Reason, actor: Actor): Promise<void>;
  /** Failover/failback or follow_primary in progress: recovery is refused meanwhile. */
  readonly busy: boolean;
  readonly following: boolean;
}

export interface RecoveryDeps {
  state: ClusterState;
  config: () => PgwardenConfig;
  logger: Logger;
  failover: NodeAttacher;
  lookup: PasswordLookup;
  /** null when the engine runs without a proxy: blocking is then a no-op and there are no sessions to wait for. */
  gate: ClientGate | null;
  /** Tests: shorter poll intervals. */
  timing?: Partial<RecoveryTiming>;
}

export interface RecoveryTiming {
  /** wait_postmaster: time between connection attempts (pgpool: 3 s; pgwarden polls faster, same total bound). */
  postmasterPollMs: number;
  /** wait_clients: time between session counts (pgpool: 3 s). */
  clientsPollMs: number;
  /** attach: how long the failback request may take. */
  attachTimeoutMs: number;
}

export const DEFAULT_TIMING: RecoveryTiming = {
  postmasterPollMs: 500,
  clientsPollMs: 500,
  attachTimeoutMs: 60_000,
};

/** What a stage body reports back (the stage wrapper records timing and outcome). */
export interface StageResult {
  command?: string;
  exitCode?: number | null;
  /** 'skipped' when the stage had nothing to do (e.g. no second stage command). */
  skipped?: boolean;
}

/** A stage that failed: the run's error is built from it. */
export class StageFailure extends Error {
  constructor(
    message: string,
    readonly command?: string,
    readonly exitCode?: number | null,
  ) {
    super(message);
    this.name = 'StageFailure';
  }
}
