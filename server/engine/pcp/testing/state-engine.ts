/**
 * A small EngineApi over a real ClusterState, for PCP tests while (and where) the full engine is not needed.
 * Admin actions change the state as the failover manager would, synchronously; sessions, pools and health-check
 * statistics are whatever the test puts in. Not a mock of a module: a second, tiny implementation of the façade.
 */
import type {
  EngineApi,
  HealthCheckStats,
  PoolEntry,
  RecoveryRun,
  SessionEntry,
  ShutdownMode,
} from '../../api';
import type { BackendConfig } from '../../config/types';
import { EngineError } from '../../errors';
import { metricsOf } from '../../runtime/metrics';
import { ClusterState } from '../../state/cluster-state';
import type { Actor, ClusteringMode } from '../../state/types';

export interface StateEngine extends EngineApi {
  state: ClusterState;
  sessionList: SessionEntry[];
  poolList: PoolEntry[];
  healthStats: HealthCheckStats[];
  config: Record<string, unknown>;
  shutdowns: ShutdownMode[];
  /** Recovery behaviour: 'ok' attaches the node after `recoveryMs`, 'fail' fails, 'not_implemented' throws. */
  recoveryMode: 'ok' | 'fail' | 'not_implemented';
  recoveryMs: number;
  actions: Array<{ action: string; nodeId?: number; actor: Actor; extra?: unknown }>;
}

export function backendsFor(ports: number[], hostname = 'localhost'): BackendConfig[] {
  return ports.map((port, id) => ({
    id,
    hostname,
    port,
    weight: 1,
    data_directory: `/data/node${id}`,
    flag: { allowToFailover: true, alwaysPrimary: false },
    application_name: `node${id}`,
    health_check: {
      period: 0,
      timeout: 20,
      user: 'postgres',
      password: '',
      database: 'postgres',
      max_retries: 0,
      retry_delay: 1,
      connect_timeout: 10000,
    },
  }));
}

export function createStateEngine(opts: { backends: BackendConfig[]; mode?: ClusteringMode }): StateEngine {
  const state = new ClusterState(opts.mode ?? 'streaming_replication', opts.backends);
  for (const n of state.nodes) {
    state.setStatus(n.id, 'up', null);
    n.pgStatus = 'up';
    n.pgRole = n.id === 0 ? 'primary' : 'standby';
    if (n.id > 0) {
      n.replicationState = 'streaming';
      n.replicationSyncState = 'async';
    }
  }
  state.setPrimary(0, null);
  const runs = new Map<string, RecoveryRun>();
  const startedAt = new Date();
  const node = (id: number) => {
    const n = state.node(id);
    if (!n) throw new EngineError('node_not_found', `node ${id} does not exist`);
    return n;
  };
  const engine: StateEngine = {
    state,
    sessionList: [],
    poolList: [],
    healthStats: [],
    config: { use_watchdog: false, backend_clustering_mode: state.mode, num_init_children: 32, max_pool: 4 },
    shutdowns: [],
    recoveryMode: 'ok',
    recoveryMs: 50,
    actions: [],
    async snapshot() {
      return {
        mode: state.mode,
        primaryNodeId: state.primaryNodeId,
        mainNodeId: state.mainNodeId,
        nodes: structuredClone(state.nodes),
        failoverInProgress: false,
        recoveryInProgress: [...runs.values()].some((r) => r.outcome === 'running'),
        clientSessions: { active: engine.sessionList.length, max: 32 },
        startedAt,
        version: 'test',
      };
    },
    async events(o) {
      return state.events(o);
    },
    subscribe: (l) => state.subscribe(l),
    async detachNode(id, req) {
      node(id);
      engine.actions.push({
        action: 'detach',
        nodeId: id,
        actor: req.actor,
        extra: { graceful: req.graceful },
      });
      state.setStatus(id, 'down', { code: 'admin_detach', message: req.reason ?? 'detach' }, req.actor);
    },
    async attachNode(id, req) {
      if (node(id).status === 'up') throw new EngineError('node_already_up', `node ${id} is already up`);
      engine.actions.push({ action: 'attach', nodeId: id, actor: req.actor });
      state.setStatus(id, 'waiting', { code: 'admin_attach', message: req.reason ?? 'attach' }, req.actor);
    },
    async promoteNode(id, req) {
      node(id);
      engine.actions.push({
        action: 'promote',
        nodeId: id,
        actor: req.actor,
        extra: { switchover: req.switchover },
      });
      const old = state.primaryNodeId;
      if (req.switchover && old >= 0)
        state.setStatus(old, 'down', { code: 'switchover', message: 'switchover' });
      state.setPrimary(id, { code: 'admin_promote', message: req.reason ?? 'promote' });
    },
    async setWeight(id, weight, req) {
      state.setWeight(id, weight, req.actor, req.reason);
    },
    async startRecovery(id, req) {
      if (engine.recoveryMode === 'not_implemented') {
        throw new EngineError('not_implemented', 'online recovery is not implemented yet');
      }
      engine.actions.push({ action: 'recovery', nodeId: id, actor: req.actor });
      const run: RecoveryRun = {
        id: `run-${runs.size + 1}`,
        nodeId: id,
        actor: req.actor,
        startedAt: new Date(),
        endedAt: null,
        outcome: 'running',
        error: null,
        stages: [],
      };
      runs.set(run.id, run);
      setTimeout(() => {
        run.endedAt = new Date();
        run.outcome = engine.recoveryMode === 'fail' ? 'failed' : 'ok';
        if (run.outcome === 'failed') run.error = `node recovery failed, node id: ${id}`;
        else state.setStatus(id, 'up', { code: 'recovered', message: 'online recovery' }, req.actor);
        state.emit({
          kind: 'recovery_finished',
          nodeId: id,
          summary: `recovery ${run.outcome}`,
          reason: null,
          outcome: run.outcome === 'ok' ? 'ok' : 'failed',
          details: { runId: run.id },
        });
      }, engine.recoveryMs);
      return run.id;
    },
    async recoveryRun(id) {
      const r = runs.get(id);
      return r ? structuredClone(r) : null;
    },
    async recoveryRuns() {
      return [...runs.values()].map((r) => structuredClone(r));
    },
    async cancelRecovery() {},
    async sessions() {
      return structuredClone(engine.sessionList);
    },
    async pools() {
      return structuredClone(engine.poolList);
    },
    async healthCheckStats() {
      return structuredClone(engine.healthStats);
    },
    async metrics() {
      return metricsOf(state).snapshot();
    },
    async effectiveConfig() {
      return structuredClone(engine.config);
    },
    async reload(req) {
      engine.actions.push({ action: 'reload', actor: req.actor });
      return { warnings: [] };
    },
    async shutdown(mode) {
      engine.shutdowns.push(mode);
    },
  };
  return engine;
}
