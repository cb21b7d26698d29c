/**
 * Admin detach / attach / promote / set weight (PCP, SQL, dashboard, REST): validated with pgpool's refusal reasons
 * (reference §1.5), recorded as `admin_action` events with actor, reason and outcome, then handed to the failover
 * state machine. Each call resolves when the request has been processed (pgwarden's PCP replies after the effect).
 */
import type { AdminRequest } from '../api';
import type { PgwardenConfig } from '../config/types';
import { EngineError, isEngineError, type EngineErrorCode } from '../errors';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import { NODE_STATUS_CODE, type Reason } from '../state/types';
import type { FailoverManager } from './manager';

export interface AdminActionDeps {
  state: ClusterState;
  config: () => PgwardenConfig;
  failover: FailoverManager;
  logger: Logger;
  /** Client sessions currently using a node (graceful detach waits for 0). */
  sessionsUsing?: (nodeId: number) => Promise<number>;
}

const GRACEFUL_POLL_MS = 500;

export class AdminActions {
  constructor(private readonly deps: AdminActionDeps) {}

  private reason(code: string, what: string, req: AdminRequest): Reason {
    const by = `${req.actor.name} (${req.actor.interface})`;
    return {
      code,
      message: `${what} by ${by}${req.reason ? `: ${req.reason}` : ''}`,
      details: { actor: req.actor },
    };
  }

  /** Records the action's outcome; a refusal is thrown as EngineError after being recorded. */
  private async record(
    nodeId: number,
    action: string,
    req: AdminRequest,
    body: () => Promise<void>,
  ): Promise<void> {
    const { state } = this.deps;
    const reason = req.reason ? { code: `admin_${action}`, message: req.reason } : null;
    try {
      await body();
      state.emit({
        kind: 'admin_action',
        nodeId,
        actor: req.actor,
        summary: `${action} node ${nodeId}: done`,
        reason,
        outcome: 'ok',
        details: { action },
      });
    } catch (e) {
      const refused = isEngineError(e);
      const message = e instanceof Error ? e.message : String(e);
      state.emit({
        kind: 'admin_action',
        nodeId,
        actor: req.actor,
        summary: `${action} node ${nodeId} ${refused ? 'refused' : 'failed'}: ${message}`,
        reason: { code: refused ? e.code : 'internal', message },
        outcome: refused ? 'refused' : 'failed',
        details: { action, requestedReason: req.reason ?? null },
      });
      throw e;
    }
  }

  private node(id: number, action: string) {
    const n = this.deps.state.node(id);
    if (!n) {
      throw new EngineError(
        'node_not_found',
        `invalid ${action} request, node id: ${id} is out of range. node id must be between [0 and ${this.deps.state.nodes.length - 1}]`,
      );
    }
    return n;
  }

  private refuse(code: EngineErrorCode, message: string): never {
    throw new EngineError(code, message);
  }

  detach(nodeId: number, req: AdminRequest & { graceful?: boolean }): Promise<void> {
    return this.record(nodeId, req.graceful ? 'graceful_detach' : 'detach', req, async () => {
      const n = this.node(nodeId, 'degenerate backend');
      if (!(this.deps.state.isValid(nodeId) || n.quarantined)) {
        this.refuse(
          'node_already_down',
          `invalid degenerate backend request, node id : ${nodeId} status: [${NODE_STATUS_CODE[n.status]}] is not valid for failover`,
        );
      }
      if (!n.flags.allowToFailover) {
        this.refuse(
          'failover_disallowed',
          `degenerate backend request for node_id: ${nodeId} is canceled because failover is disallowed on the node`,
        );
      }
      if (req.graceful) await this.waitForSessions(nodeId, `graceful detach of node ${nodeId}`);
      const reason = this.reason('admin_detach', `${req.graceful ? 'gracefully detached' : 'detached'}`, req);
      await this.deps.failover.requestNodeDown({
        nodeIds: [nodeId],
        reason,
        actor: req.actor,
        switchover: true,
        confirmed: true,
        graceful: req.graceful,
      });
    });
  }

  /**
   * pcp_detach_node -g / pcp_promote_node -g: wait for the sessions using the node to end, up to recovery_timeout
   * (pgpool's limit). For the primary that is every session (engine.ts sessionsUsing).
   */
  private async waitForSessions(nodeId: number, what: string): Promise<void> {
    const using = this.deps.sessionsUsing;
    if (!using) return;
    const limitMs = Math.max(1, this.deps.config().recovery_timeout) * 1000;
    const deadline = Date.now() + limitMs;
    for (let n = await using(nodeId); n > 0; n = await using(nodeId)) {
      if (Date.now() >= deadline) {
        this.refuse(
          'timeout',
          `${what} gave up: ${n} session(s) still use it after ${limitMs / 1000} s (recovery_timeout)`,
        );
      }
      await new Promise((r) => setTimeout(r, GRACEFUL_POLL_MS));
    }
  }

  attach(nodeId: number, req: AdminRequest): Promise<void> {
    return this.record(nodeId, 'attach', req, async () => {
      const n = this.node(nodeId, 'failback');
      if (n.status === 'unused')
        this.refuse(
          'node_not_found',
          `invalid failback request, node id : ${nodeId} is not configured (unused)`,
        );
      // Attaching a valid node is a success for pgpool's PCP (the main process only logs it): the failover manager
      // records it as a refused failback event.
      await this.deps.failover.requestNodeUp(nodeId, this.reason('admin_attach', 'attached', req), req.actor);
    });
  }

  /** `graceful` (pcp_promote_node -g): first wait for the client sessions to end (pgpool RECOVERY_PROMOTE). */
  promote(nodeId: number, req: AdminRequest & { switchover?: boolean; graceful?: boolean }): Promise<void> {
    return this.record(nodeId, req.switchover ? 'switchover' : 'promote', req, async () => {
      const { state, failover } = this.deps;
      this.node(nodeId, 'promote');
      if (state.mode !== 'streaming_replication')
        this.refuse('wrong_mode', `not in streaming replication mode, can't promote node id ${nodeId}`);
      if (nodeId === state.primaryNodeId)
        this.refuse(
          'node_is_primary',
          `specified node is already primary node, can't promote node id ${nodeId}`,
        );
      if (!state.isValid(nodeId))
        this.refuse(
          'node_already_down',
          `node id ${nodeId} is not valid: it is ${state.node(nodeId)?.status}`,
        );
      if (failover.busy)
        this.refuse('failover_in_progress', 'failover is in progress: try again when it has finished');
      const primary = state.primaryNodeId;
      if (req.switchover && primary >= 0 && !state.node(primary)?.flags.allowToFailover) {
        this.refuse(
          'failover_disallowed',
          `switchover refused: failover is disallowed on the current primary node ${primary}`,
        );
      }
      const what =
        req.switchover && primary >= 0 ? `switchover to node ${nodeId}` : `node ${nodeId} promoted`;
      const gracefully = `graceful ${req.switchover ? 'switchover' : 'promotion'} to node ${nodeId}`;
      if (req.graceful) await this.waitForSessions(primary >= 0 ? primary : nodeId, gracefully);
      await failover.requestPromote(nodeId, {
        switchover: !!req.switchover && primary >= 0,
        reason: this.reason('admin_promote', what, req),
        actor: req.actor,
      });
    });
  }

  setWeight(nodeId: number, weight: number, req: AdminRequest): Promise<void> {
    return this.record(nodeId, 'set_weight', req, async () => {
      this.node(nodeId, 'set weight');
      if (!Number.isFinite(weight) || weight < 0)
        this.refuse('config_invalid', `invalid weight ${weight}: must be a number >= 0`);
      this.deps.state.setWeight(nodeId, weight, req.actor, req.reason);
    });
  }
}
