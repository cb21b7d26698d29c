/**
 * The failover state machine (reference §3.3): ONE serialized queue for NODE_DOWN, NODE_UP (failback/attach),
 * PROMOTE and QUARANTINE requests, so status changes never interleave. Implements FailoverRequester; every status
 * change goes through ClusterState.setStatus with its reason and actor, and the run is recorded as events
 * (failover_started/finished, command_executed, follow_primary, failback).
 */
import type { PgwardenConfig } from '../config/types';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import { ENGINE_ACTOR, type Actor, type Reason } from '../state/types';
import type { PrimaryDecision } from '../health/primary';
import type { RecoveryWatch } from '../health/probes';
import { placeholderValues, runNodeCommand, type CommandRunner } from './commands';
import { degenerateForFollow, runFollowPrimary } from './follow-primary';
import { SerialQueue } from './queue';
import type { FailoverRequester, NodeDownRequest, SessionTerminator } from './types';

export interface FailoverManagerDeps {
  state: ClusterState;
  config: () => PgwardenConfig;
  logger: Logger;
  /** find_primary_node_repeatedly over the valid nodes (bounded by search_primary_node_timeout). */
  findPrimary: () => Promise<PrimaryDecision>;
  /** Writes pgpool_status. */
  persistStatus: () => void;
  /** After every processed request (router eligibility, sr_check). */
  onTopologyChanged?: () => void;
  runCommand?: CommandRunner;
  /**
   * pg_is_in_recovery() of a node (null: could not ask). While failover_command promotes the new main node, it is
   * polled so held sessions go to it the moment it is writable, before the script has returned.
   */
  isInRecovery?: (id: number) => Promise<boolean | null>;
  /**
   * The same question on one kept connection (preferred over isInRecovery when given): each poll is a round trip
   * instead of a new backend on the node being promoted, so it can poll every 10 ms.
   */
  watchRecovery?: (id: number) => RecoveryWatch;
}

/** Poll interval of the promotion watch: a fresh connection per poll / one kept connection. */
const PROMOTION_POLL_MS = 20;
const PROMOTION_POLL_KEPT_MS = 10;

type Request =
  | { kind: 'down'; req: NodeDownRequest & { promoteTarget?: number; quarantine?: boolean } }
  | { kind: 'up'; nodeId: number; reason: Reason; actor: Actor }
  | { kind: 'promote'; nodeId: number; reason: Reason; actor: Actor };

export class FailoverManager implements FailoverRequester {
  private readonly queue: SerialQueue<Request>;
  private terminator: SessionTerminator | null = null;
  private follow: Promise<void> | null = null;
  private stopped = false;
  /** New sessions held until the failover of the primary has settled the new one (primarySettled). */
  private primaryWaiters: (() => void)[] = [];
  /** The new main node answered as a primary while failover_command still ran (sessions may go to it). */
  private earlyPrimary = -1;

  constructor(private readonly deps: FailoverManagerDeps) {
    this.queue = new SerialQueue((r) => this.handle(r));
  }

  get busy(): boolean {
    return this.queue.busy;
  }

  /** A follow_primary_command run is in progress (sr_check skips meanwhile, as pgpool's follow-primary lock). */
  get following(): boolean {
    return this.follow !== null;
  }

  nodeConnected(nodeId: number): void {
    const { state } = this.deps;
    // While a request is processed the status is the state machine's; the next connection will mark it.
    if (this.queue.busy || state.node(nodeId)?.status !== 'waiting') return;
    state.setStatus(nodeId, 'up', {
      code: 'backend_connected',
      message: 'a backend connection was made to the node',
    });
  }

  setSessionTerminator(t: SessionTerminator | null): void {
    this.terminator = t;
  }

  requestNodeDown(req: NodeDownRequest): Promise<void> {
    return this.push({ kind: 'down', req });
  }

  requestQuarantine(nodeIds: number[], reason: Reason, actor?: Actor): Promise<void> {
    return this.push({ kind: 'down', req: { nodeIds, reason, actor, quarantine: true } });
  }

  requestNodeUp(nodeId: number, reason: Reason, actor: Actor = ENGINE_ACTOR): Promise<void> {
    return this.push({ kind: 'up', nodeId, reason, actor });
  }

  requestPromote(
    nodeId: number,
    opts: { switchover: boolean; reason: Reason; actor?: Actor },
  ): Promise<void> {
    const actor = opts.actor ?? ENGINE_ACTOR;
    if (!opts.switchover) return this.push({ kind: 'promote', nodeId, reason: opts.reason, actor });
    // pcp_promote_node -s: NODE_DOWN on the current primary with %m = the requested node (REQ_DETAIL_PROMOTE).
    const primary = this.deps.state.primaryNodeId;
    return this.push({
      kind: 'down',
      req: {
        nodeIds: [primary],
        reason: opts.reason,
        actor,
        switchover: true,
        confirmed: true,
        promoteTarget: nodeId,
      },
    });
  }

  /**
   * Resolves at once unless a failover is running in streaming mode and the primary is not valid (it failed and the
   * new one is not known yet); then when the failover has set the new primary, or after `maxMs`. New sessions wait
   * here, as pgpool's children wait for a failover to finish, instead of reaching a standby that is being promoted
   * (a write there fails with 25006 read-only, which clients do not retry).
   */
  primarySettled(maxMs = 10_000): Promise<void> {
    const { state } = this.deps;
    if (!this.queue.busy || !state.isStreaming() || state.isValid(state.primaryNodeId))
      return Promise.resolve();
    if (this.earlyPrimary >= 0 && this.earlyPrimary === state.mainNodeId) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.primaryWaiters.push(done);
    });
  }

  private releasePrimaryWaiters(): void {
    for (const w of this.primaryWaiters.splice(0)) w();
  }

  /** Waits for queued requests and a running follow_primary_command (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue.idle();
    while (this.follow) await this.follow;
  }

  stop(): void {
    this.stopped = true;
  }

  private push(r: Request): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.queue.push(r);
  }

  private async handle(r: Request): Promise<void> {
    try {
      if (r.kind === 'down') await this.nodeDown(r.req);
      else if (r.kind === 'up') await this.nodeUp(r.nodeId, r.reason, r.actor);
      else await this.promote(r.nodeId, r.reason, r.actor);
    } finally {
      this.earlyPrimary = -1;
      this.releasePrimaryWaiters();
      this.deps.onTopologyChanged?.();
    }
  }

  private terminate(opts: { nodeIds?: number[]; all?: boolean; message: string }): number {
    if (!this.terminator) return 0;
    try {
      return this.terminator.terminateSessions(opts);
    } catch (e) {
      this.deps.logger.warn(`could not close sessions: ${String(e)}`);
      return 0;
    }
  }

  private async nodeDown(
    req: NodeDownRequest & { promoteTarget?: number; quarantine?: boolean },
  ): Promise<void> {
    const { state, logger } = this.deps;
    const actor = req.actor ?? ENGINE_ACTOR;
    const started = Date.now();
    const oldMain = state.mainNodeId;
    const oldPrimary = state.primaryNodeId;
    const ids: number[] = [];
    for (const id of req.nodeIds) {
      const n = state.node(id);
      if (!n || !(state.isValid(id) || n.quarantined)) continue;
      if (!n.flags.allowToFailover) {
        logger.log(
          `degenerate backend request for node_id: ${id} is canceled because failover is disallowed on the node`,
        );
        continue;
      }
      ids.push(id);
    }
    if (ids.length === 0) {
      logger.log('failover: no backends are degenerated');
      return;
    }
    const what = req.quarantine ? 'quarantine' : 'failover';
    state.emit({
      kind: 'failover_started',
      nodeId: ids[0] ?? null,
      actor,
      summary: `${what} of node ${ids.join(', ')} started: ${req.reason.message}`,
      reason: req.reason,
      outcome: 'info',
      details: {
        nodeIds: ids,
        oldPrimary,
        oldMain,
        switchover: !!req.switchover,
        promoteTarget: req.promoteTarget,
      },
    });
    // 1. mark down
    for (const id of ids) {
      const n = state.node(id)!;
      logger.log(`starting degeneration. shutdown host ${n.hostname}(${n.port})`);
      state.setStatus(id, 'down', req.reason, actor);
      n.quarantined = !!req.quarantine;
    }
    if (!req.quarantine) this.deps.persistStatus();
    // 2. new main
    const newMain = state.mainNodeId;
    // 3. restart scope: SR + switchover + the failed node is not the primary -> only sessions using it.
    const partial = state.isStreaming() && !!req.switchover && !ids.includes(oldPrimary);
    const why = `node ${ids.join(', ')} is down (${req.reason.message})`;
    const closed = partial
      ? this.terminate({ nodeIds: ids, message: `session closed by pgwarden: ${why}` })
      : this.terminate({ all: true, message: `session closed by pgwarden: failover in progress, ${why}` });
    // 4. failover_command for each down node
    if (!req.quarantine) {
      const promoteTarget = req.promoteTarget;
      const watch =
        state.isStreaming() && ids.includes(oldPrimary) && promoteTarget === undefined
          ? this.watchPromotion(newMain)
          : null;
      for (const id of ids) {
        const values = placeholderValues(state, {
          node: id,
          newMainId: promoteTarget ?? newMain,
          oldMainId: oldMain,
          oldPrimaryId: oldPrimary,
        });
        await runNodeCommand(this.deps, 'failover_command', values, actor);
      }
      watch?.stop();
    }
    // 5. new primary
    let newPrimary = oldPrimary;
    if (state.isStreaming()) {
      if (req.quarantine && ids.includes(oldPrimary)) newPrimary = -1;
      else if (oldPrimary >= 0 && !ids.includes(oldPrimary) && state.isValid(oldPrimary))
        newPrimary = oldPrimary;
      else newPrimary = (await this.deps.findPrimary()).primary;
    }
    // 6. follow primary (streaming only): only with follow_primary_command set, as pgpool.
    const follow =
      state.mode === 'streaming_replication' &&
      !req.quarantine &&
      newPrimary >= 0 &&
      this.deps.config().follow_primary_command.trim() !== '' &&
      ((oldPrimary >= 0 && ids.includes(oldPrimary)) || oldPrimary < 0);
    // 7. roles
    state.setPrimary(newPrimary, {
      code: what,
      message: `${what} of node ${ids.join(', ')}: ${req.reason.message}`,
    });
    this.earlyPrimary = -1;
    this.releasePrimaryWaiters();
    if (follow) this.startFollow(newPrimary, oldPrimary, actor);
    const hosts = ids.map((id) => `${state.node(id)!.hostname}(${state.node(id)!.port})`).join(', ');
    logger.log(`${what} done. shutdown host ${hosts}`);
    state.emit({
      kind: 'failover_finished',
      nodeId: ids[0] ?? null,
      actor,
      summary: `${what} done. shutdown host ${hosts}; primary ${newPrimary >= 0 ? `node ${newPrimary}` : 'none'}`,
      reason: req.reason,
      outcome: 'ok',
      details: {
        nodeIds: ids,
        oldPrimary,
        newPrimary,
        oldMain,
        newMain,
        closedSessions: closed,
        partial,
        follow,
        durationMs: Date.now() - started,
      },
    });
  }

  /**
   * While failover_command runs after a primary failure: polls the new main node every 10 ms on one kept connection
   * (20 ms with a fresh connection each when only isInRecovery is given); once it answers
   * pg_is_in_recovery() = f, held sessions are released to it (it is the effective primary while the old primary is
   * down). The primary search after the command still decides the primary, as in pgpool.
   */
  private watchPromotion(newMain: number): { stop(): void } | null {
    if (newMain < 0) return null;
    const kept = this.deps.watchRecovery?.(newMain) ?? null;
    const fresh = this.deps.isInRecovery;
    const ask = kept ? () => kept.isInRecovery() : fresh ? () => fresh(newMain) : null;
    if (!ask) return null;
    const interval = kept ? PROMOTION_POLL_KEPT_MS : PROMOTION_POLL_MS;
    let stopped = false;
    const loop = (async () => {
      while (!stopped && !this.stopped) {
        const started = Date.now();
        if ((await ask().catch(() => null)) === false && !stopped) {
          this.earlyPrimary = newMain;
          this.deps.logger.log(
            `node ${newMain} answers as a primary while failover_command runs: new sessions go to it`,
          );
          this.releasePrimaryWaiters();
          return;
        }
        const wait = interval - (Date.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })();
    void loop.finally(() => kept?.close());
    return { stop: () => (stopped = true) };
  }

  private startFollow(newPrimary: number, oldPrimary: number, actor: Actor): void {
    degenerateForFollow(this.deps, { newPrimary, oldPrimary, actor }, this.deps.persistStatus);
    const prev = this.follow ?? Promise.resolve();
    const run: Promise<void> = prev
      .then(() => runFollowPrimary(this.deps, { newPrimary, oldPrimary, actor }))
      .catch((e: unknown) => this.deps.logger.error(`follow primary failed: ${String(e)}`))
      .finally(() => {
        if (this.follow === run) this.follow = null;
      });
    this.follow = run;
  }

  private async nodeUp(nodeId: number, reason: Reason, actor: Actor): Promise<void> {
    const { state, logger } = this.deps;
    const n = state.node(nodeId);
    if (!n || n.status === 'unused' || (state.isValid(nodeId) && !n.quarantined)) {
      const msg = `invalid failback request, status: [${n ? n.status : 'none'}] of node id : ${nodeId} is invalid for failback`;
      logger.log(msg);
      state.emit({ kind: 'failback', nodeId, actor, summary: msg, reason, outcome: 'refused' });
      return;
    }
    const oldMain = state.mainNodeId;
    const oldPrimary = state.primaryNodeId;
    const allWereDown = state.validNodeIds().length === 0;
    const unquarantine = n.quarantined;
    n.quarantined = false;
    state.setStatus(nodeId, 'waiting', reason, actor);
    this.deps.persistStatus();
    if (!unquarantine) {
      const values = placeholderValues(state, {
        node: nodeId,
        newMainId: state.mainNodeId,
        oldMainId: oldMain,
        oldPrimaryId: oldPrimary,
      });
      await runNodeCommand(this.deps, 'failback_command', values, actor);
    }
    const noRestart = state.isStreaming() && nodeId !== oldPrimary && !allWereDown;
    if (!noRestart)
      this.terminate({ all: true, message: `session closed by pgwarden: node ${nodeId} attached again` });
    if (state.isStreaming()) {
      const d = await this.deps.findPrimary();
      state.setPrimary(d.primary, {
        code: 'failback',
        message: `primary search after failback of node ${nodeId}`,
      });
    }
    logger.log(`failback done. reconnect host ${n.hostname}(${n.port})`);
    state.emit({
      kind: 'failback',
      nodeId,
      actor,
      summary: `failback done. reconnect host ${n.hostname}(${n.port})`,
      reason,
      outcome: 'ok',
      details: { unquarantine, restartedSessions: !noRestart, primary: state.primaryNodeId },
    });
  }

  private async promote(nodeId: number, reason: Reason, actor: Actor): Promise<void> {
    const { state, logger } = this.deps;
    if (!state.isValid(nodeId)) {
      logger.log(`promote request for node ${nodeId} ignored: the node is not valid`);
      state.emit({
        kind: 'admin_action',
        nodeId,
        actor,
        summary: `promote of node ${nodeId} ignored: node not valid`,
        reason,
        outcome: 'refused',
      });
      return;
    }
    const oldPrimary = state.primaryNodeId;
    state.emit({
      kind: 'failover_started',
      nodeId,
      actor,
      summary: `promote of node ${nodeId} started: ${reason.message}`,
      reason,
      outcome: 'info',
      details: { oldPrimary },
    });
    // PROMOTE_NODE always degenerates the other nodes (no failover_command; PostgreSQL is not promoted).
    degenerateForFollow(this.deps, { newPrimary: nodeId, oldPrimary, actor }, this.deps.persistStatus);
    this.terminate({ all: true, message: `session closed by pgwarden: node ${nodeId} promoted to primary` });
    state.setPrimary(nodeId, reason);
    if (state.mode === 'streaming_replication' && this.deps.config().follow_primary_command.trim() !== '') {
      this.startFollow(nodeId, oldPrimary, actor);
    }
    logger.log(`promotion done. node ${nodeId} is the primary`);
    state.emit({
      kind: 'failover_finished',
      nodeId,
      actor,
      summary: `promote done: node ${nodeId} is the primary`,
      reason,
      outcome: 'ok',
      details: { oldPrimary, newPrimary: nodeId },
    });
  }
}
