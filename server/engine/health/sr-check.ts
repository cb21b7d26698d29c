/**
 * Streaming-replication check (reference §5): every sr_check_period s (0 disables; streaming mode only; skipped while
 * a failover or follow_primary_command runs). Guards against reading stale data from a lagging standby (delay in
 * pgpool's LSN bytes, plus replay seconds as a pgwarden extension, feeding delay_threshold routing), keeps
 * replication_state/sync_state and pg_role current for SHOW pool_nodes and auto_failback, and detaches a standby
 * promoted by hand (detach_false_primary).
 */
import type { PgwardenConfig } from '../config/types';
import type { FailoverRequester } from '../failover/types';
import type { Logger } from '../runtime/logger';
import type { TaskContext, TaskGroup } from '../runtime/tasks';
import type { ClusterState } from '../state/cluster-state';
import { standbyDelayBytes } from './lsn';
import { errorText } from './pg-connect';
import { findPrimaryOnce } from './primary';
import type { BackendProbes, NodeReplicationSample } from './probes';

export const SR_CHECK_TASK = 'sr-check';
const DISABLED_RECHECK_MS = 30_000;

export interface SrCheckDeps {
  state: ClusterState;
  config: () => PgwardenConfig;
  probes: BackendProbes;
  failover: FailoverRequester & { readonly following?: boolean };
  logger: Logger;
  /** Called after delays were updated (the router's refreshEligibility). */
  onDelayUpdated?: () => void;
}

export class SrChecker {
  private wake: (() => void) | null = null;

  constructor(private readonly deps: SrCheckDeps) {}

  start(tasks: TaskGroup): void {
    tasks.start(SR_CHECK_TASK, (ctx) => this.loop(ctx));
  }

  /** Runs the next check now (after a failover/failback, as pgpool restarts its worker). */
  kick(): void {
    this.wake?.();
  }

  private async loop(ctx: TaskContext): Promise<void> {
    while (!ctx.signal.aborted) {
      const cfg = this.deps.config();
      const enabled = cfg.sr_check_period > 0 && this.deps.state.mode === 'streaming_replication';
      if (enabled && !this.deps.failover.busy && !this.deps.failover.following) {
        try {
          await this.checkOnce();
        } catch (e) {
          this.deps.logger.warn(`streaming replication check failed: ${errorText(e)}`);
        }
      }
      const ms = enabled ? cfg.sr_check_period * 1000 : DISABLED_RECHECK_MS;
      const woke = new Promise<void>((r) => (this.wake = r));
      await Promise.race([ctx.sleep(ms), woke]);
      this.wake = null;
    }
  }

  /** One check of every valid node. Exposed for tests. */
  async checkOnce(): Promise<void> {
    const { state, probes, logger } = this.deps;
    const cfg = this.deps.config();
    const valid = state.validNodeIds();
    const samples = new Map<number, NodeReplicationSample>();
    await Promise.all(
      valid.map(async (id) => {
        try {
          samples.set(id, await probes.replicationSample(id));
        } catch (e) {
          logger.debug(`sr check: could not query node ${id}: ${errorText(e)}`);
        }
      }),
    );
    // Detached / unused nodes: pgpool 4.3 still shows what PostgreSQL says about them (pg_status by a live ping,
    // pg_role by pg_is_in_recovery; a detached standby that still streams shows up/standby/streaming). Sampled
    // beside the valid nodes, not awaited before the delay figures (an unreachable host must not delay them).
    const others = state.nodes.filter((n) => !valid.includes(n.id));
    const othersDone = Promise.all(
      others.map(async (n) => {
        try {
          const s = await probes.replicationSample(n.id);
          n.pgRole = s.inRecovery ? 'standby' : 'primary';
          n.pgStatus = 'up';
        } catch {
          n.pgRole = 'unknown';
          n.pgStatus = 'down';
        }
      }),
    );
    for (const id of valid) {
      const n = state.node(id)!;
      const s = samples.get(id);
      n.pgRole = s ? (s.inRecovery ? 'standby' : 'primary') : 'unknown';
    }
    const primaryId = state.primaryNodeId;
    const primary = samples.get(primaryId);
    if (primary && !primary.inRecovery) {
      this.applyReplicationRows(primary);
      for (const id of valid) {
        if (id === primaryId) continue;
        const n = state.node(id)!;
        const s = samples.get(id);
        if (!s || !s.inRecovery) continue;
        const bytes = standbyDelayBytes(primary.lsn, s.lsn) ?? 0;
        n.replicationDelayBytes = bytes;
        // An idle primary makes pg_last_xact_replay_timestamp() age: a standby that replayed everything is 0 s behind.
        n.replicationDelaySeconds = bytes === 0 ? 0 : s.replayAgeSeconds;
        this.logDelay(id, bytes, primaryId, cfg);
      }
      const p = state.node(primaryId);
      if (p) {
        p.replicationDelayBytes = 0;
        p.replicationDelaySeconds = 0;
      }
    }
    this.deps.onDelayUpdated?.();
    if (cfg.detach_false_primary) await this.checkFalsePrimary();
    await othersDone;
  }

  /** pg_stat_replication rows matched on backend_application_nameN; nodes without a row get ''. */
  private applyReplicationRows(primary: NodeReplicationSample): void {
    for (const n of this.deps.state.nodes) {
      if (n.id === this.deps.state.primaryNodeId) {
        n.replicationState = '';
        n.replicationSyncState = '';
        continue;
      }
      const row = n.applicationName
        ? primary.replication.find((r) => r.applicationName === n.applicationName)
        : undefined;
      n.replicationState = row?.state ?? '';
      n.replicationSyncState = row?.syncState ?? '';
    }
  }

  private logDelay(id: number, bytes: number, primaryId: number, cfg: PgwardenConfig): void {
    const always = cfg.log_standby_delay === 'always' && bytes > 0;
    const over =
      cfg.log_standby_delay === 'if_over_threshold' && cfg.delay_threshold > 0 && bytes > cfg.delay_threshold;
    if (always || over) {
      this.deps.logger.log(
        `Replication of node:${id} is behind ${bytes} bytes from the primary server (node:${primaryId})`,
      );
    }
  }

  /** detach_false_primary: a primary that is not the one every standby streams from is detached (SWITCHOVER). */
  private async checkFalsePrimary(): Promise<void> {
    const { state, probes, logger } = this.deps;
    const d = await findPrimaryOnce({
      validNodes: () =>
        state.validNodeIds().map((id) => {
          const n = state.node(id)!;
          return { id, hostname: n.hostname, port: n.port, alwaysPrimary: false };
        }),
      isInRecovery: (id) => probes.isInRecovery(id),
      walReceiver: (id) => probes.walReceiver(id),
      detachFalsePrimary: true,
      logger,
    });
    for (const id of d.falsePrimaries) {
      if (this.deps.failover.busy) return;
      logger.log(
        `verify_backend_node_status: node ${id} is a false primary (the true primary is node ${d.primary}); detaching it`,
      );
      const reason = {
        code: 'false_primary',
        message: `node ${id} is a false primary: ${d.why}`,
        details: { truePrimary: d.primary },
      };
      await this.deps.failover
        .requestNodeDown({ nodeIds: [id], reason, switchover: true })
        .catch((e: unknown) => {
          logger.warn(`could not detach false primary ${id}: ${errorText(e)}`);
        });
    }
  }
}
