/**
 * Health check (reference §3.6): one named task per node, every health_check_period{N} s (≤ 0 disables: re-read the
 * config every 30 s). Each round connects as health_check_user{N} and runs a trivial query, bounded by
 * health_check_timeout{N}; failures are retried health_check_max_retries{N} times, health_check_retry_delay{N} s
 * apart. Guards against routing to a dead backend: when every attempt fails the node is handed to the failover state
 * machine (unless DISALLOW_TO_FAILOVER). Also probes down standbys for auto_failback.
 */
import type { HealthCheckStats } from '../api';
import type { BackendConfig, PgwardenConfig } from '../config/types';
import type { FailoverRequester } from '../failover/types';
import type { Logger } from '../runtime/logger';
import { metricsOf } from '../runtime/metrics';
import type { TaskContext, TaskGroup } from '../runtime/tasks';
import type { ClusterState } from '../state/cluster-state';
import { errorText, ProbeTimeoutError, withBackend, type PasswordLookup } from './pg-connect';
import { HealthStats } from './health-stats';

/** One health-check attempt against a node; rejects with the failure (ProbeTimeoutError on timeout). */
export type HealthProbe = (backend: BackendConfig, lookup: PasswordLookup) => Promise<void>;

export const defaultHealthProbe: HealthProbe = async (b, lookup) => {
  const hc = b.health_check;
  await withBackend(
    { hostname: b.hostname, port: b.port },
    { user: hc.user, password: hc.password, database: hc.database || 'postgres' },
    { connectTimeoutMs: hc.connect_timeout, timeoutMs: hc.timeout > 0 ? hc.timeout * 1000 : 0 },
    lookup,
    ['SELECT 1'],
  );
};

export interface HealthCheckerDeps {
  state: ClusterState;
  config: () => PgwardenConfig;
  failover: FailoverRequester;
  logger: Logger;
  lookup: PasswordLookup;
  probe?: HealthProbe;
}

const DISABLED_RECHECK_MS = 30_000;

export class HealthChecker {
  private readonly stats = new Map<number, HealthStats>();
  /** auto_failback_interval bookkeeping: last auto failback per node (ms epoch). */
  private readonly lastAutoFailback = new Map<number, number>();

  constructor(private readonly deps: HealthCheckerDeps) {
    for (const b of deps.config().backends) this.stats.set(b.id, new HealthStats(b.id));
  }

  private readonly wakers = new Set<() => void>();

  /** Reload: end the current wait, so a new health_check_period applies now (pgpool's SIGHUP interrupts sleep). */
  kick(): void {
    for (const w of [...this.wakers]) w();
  }

  private async pause(ctx: TaskContext, ms: number): Promise<boolean> {
    let wake!: () => void;
    const woke = new Promise<boolean>((r) => this.wakers.add((wake = () => r(!ctx.signal.aborted))));
    return Promise.race([ctx.sleep(ms), woke]).finally(() => this.wakers.delete(wake));
  }

  static taskName(id: number): string {
    return `health-check-${id}`;
  }

  start(tasks: TaskGroup): void {
    for (const b of this.deps.config().backends)
      tasks.start(HealthChecker.taskName(b.id), (ctx) => this.loop(b.id, ctx));
  }

  snapshot(): HealthCheckStats[] {
    return [...this.stats.values()].map((s) => s.snapshot());
  }

  private backend(id: number): BackendConfig | undefined {
    return this.deps.config().backends.find((b) => b.id === id);
  }

  private async loop(id: number, ctx: TaskContext): Promise<void> {
    while (!ctx.signal.aborted) {
      const b = this.backend(id);
      if (!b || b.health_check.period <= 0) {
        if (!(await this.pause(ctx, DISABLED_RECHECK_MS))) return;
        continue;
      }
      await this.round(b, ctx);
      if (!(await this.pause(ctx, b.health_check.period * 1000))) return;
    }
  }

  /** Down standbys are probed only for auto_failback (streaming, replication_state 'streaming', interval passed). */
  private autoFailbackCandidate(id: number): boolean {
    const { state, config } = this.deps;
    const cfg = config();
    const n = state.node(id);
    if (!n || !cfg.auto_failback || state.mode !== 'streaming_replication') return false;
    if (n.status !== 'down' || id === state.primaryNodeId || n.replicationState !== 'streaming') return false;
    const last = this.lastAutoFailback.get(id);
    return last === undefined || Date.now() - last >= cfg.auto_failback_interval * 1000;
  }

  private async round(b: BackendConfig, ctx: TaskContext): Promise<void> {
    const { state, logger } = this.deps;
    const stats = this.stats.get(b.id) ?? new HealthStats(b.id);
    this.stats.set(b.id, stats);
    const n = state.node(b.id);
    const autoFailback = this.autoFailbackCandidate(b.id);
    if (!n || n.status === 'unused' || (n.status === 'down' && !n.quarantined && !autoFailback)) {
      stats.skip();
      return;
    }
    const started = Date.now();
    const hc = b.health_check;
    const probe = this.deps.probe ?? defaultHealthProbe;
    const errors: string[] = [];
    let timedOut = false;
    for (let attempt = 0; attempt <= hc.max_retries; attempt++) {
      if (attempt > 0) {
        logger.log(`health check retrying on DB node: ${b.id} (round:${attempt})`);
        if (!(await ctx.sleep(hc.retry_delay * 1000))) return;
      }
      try {
        await probe(b, this.deps.lookup);
        stats.success(Date.now() - started, attempt);
        metricsOf(state).observeHealthCheck(b.id, Date.now() - started, true);
        n.pgStatus = 'up';
        if (n.reason?.code === 'failover_disallowed') n.reason = null; // it answers again
        if (n.status === 'down' && (n.quarantined || autoFailback)) this.failback(b.id, n.quarantined);
        return;
      } catch (e) {
        timedOut = e instanceof ProbeTimeoutError;
        errors.push(errorText(e));
        if (ctx.signal.aborted) return;
      }
    }
    stats.failure(Date.now() - started, hc.max_retries);
    metricsOf(state).observeHealthCheck(b.id, Date.now() - started, false);
    n.pgStatus = 'down';
    const attempts = hc.max_retries + 1;
    const last = errors[errors.length - 1] ?? 'unknown error';
    logger.log(`health check failed on node ${b.id} (timeout:${timedOut ? 1 : 0})`, { error: last });
    // A node already down (quarantined probe / auto_failback probe) is not degenerated again.
    if (!state.isValid(b.id)) return;
    const reason = {
      code: 'health_check_failed',
      message: `health check failed on node ${b.id} after ${attempts} attempts: ${last}`,
      details: { attempts, errors, timedOut },
    };
    if (!n.flags.allowToFailover) {
      const msg = `health check failed on node ${b.id} but failover is disallowed for the node`;
      logger.log(msg);
      const why = { ...reason, code: 'failover_disallowed', message: `${msg}: ${last}` };
      state.setStatus(b.id, n.status, why); // same status: only the reason is recorded
      state.emit({
        kind: 'health_check_failed',
        nodeId: b.id,
        summary: msg,
        reason: why,
        outcome: 'refused',
      });
      return;
    }
    state.emit({
      kind: 'health_check_failed',
      nodeId: b.id,
      summary: reason.message,
      reason,
      outcome: 'failed',
    });
    try {
      await this.deps.failover.requestNodeDown({ nodeIds: [b.id], reason, switchover: !timedOut });
    } catch (e) {
      logger.warn(`failover request for node ${b.id} failed: ${errorText(e)}`);
    }
  }

  private failback(id: number, unquarantine: boolean): void {
    const reason = unquarantine
      ? { code: 'unquarantine', message: `health check succeeded on quarantined node ${id}` }
      : {
          code: 'auto_failback',
          message: `auto_failback: node ${id} is streaming again and its health check succeeded`,
        };
    if (!unquarantine) this.lastAutoFailback.set(id, Date.now());
    this.deps.logger.log(reason.message);
    this.deps.failover.requestNodeUp(id, reason).catch((e: unknown) => {
      this.deps.logger.warn(`failback request for node ${id} failed: ${errorText(e)}`);
    });
  }
}
