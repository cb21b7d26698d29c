/**
 * Engine composition: builds the cluster state, restores pgpool_status, finds the primary (before any listener, as
 * pgpool does), then starts the failover state machine, the health checks and sr_check, and serves EngineApi.
 *
 *   const engine = await startEngine({ config, logger, discardStatus });
 *   engine.state; await engine.detachNode(1, { actor, reason }); await engine.stop('fast');
 */
import type {
  AdminRequest,
  ClusterSnapshot,
  EngineApi,
  HealthCheckStats,
  RecoveryRun,
  ShutdownMode,
} from './api';
import type { HbaRule, PcpUser, PgwardenConfig, PoolPasswdEntry } from './config/types';
import { EngineError } from './errors';
import { createAdminHandler } from './admin';
import { startPcpServer, type PcpServerHandle } from './pcp';
import { startProxy, type ProxyServer } from './proxy';
import { registerReplicationFailover } from './replication/runner';
import { createRouter } from './router';
import { captureAdmissions, type Admission } from './frontend/admission';
import { createProxyGate, RecoveryManager } from './recovery';
import { refreshEligibility } from './router/eligibility';
import { AdminActions } from './failover/admin-actions';
import type { CommandRunner } from './failover/commands';
import { FailoverManager } from './failover/manager';
import { HealthChecker, type HealthProbe } from './health/health-check';
import { poolPasswdLookup } from './health/pg-connect';
import { findPrimaryRepeatedly } from './health/primary';
import { BackendProbes } from './health/probes';
import { SrChecker } from './health/sr-check';
import { createLogger, type Logger } from './runtime/logger';
import { metricsOf } from './runtime/metrics';
import { abortableSleep, TaskGroup } from './runtime/tasks';
import { ClusterState } from './state/cluster-state';
import { createStatusWriter, readStatusFile } from './state/status-file';
import type { EngineEvent } from './state/types';
import { applyReload, maskConfig, type ReloadSource } from './state/effective-config';
import { LiveConfig } from './state/live-config';

export const ENGINE_VERSION = '0.1.0';

export interface StartEngineOptions {
  config: PgwardenConfig;
  logger?: Logger;
  /** pgpool -D: ignore pgpool_status. */
  discardStatus?: boolean;
  poolPasswd?: ReadonlyMap<string, PoolPasswdEntry>;
  hba?: HbaRule[];
  pcpUsers?: PcpUser[];
  /** Re-reads the configuration files for reload() (pcp_reload_config, SIGHUP, dashboard). */
  reloadConfig?: ReloadSource;
  /** Start the client proxy (default true; port 0 picks a free port). */
  proxy?: boolean;
  /** Start the PCP listener (default true; pcp_port 0 picks a free port). */
  pcp?: boolean;
  /** Tests: replace the health-check attempt or the shell command runner. */
  healthProbe?: HealthProbe;
  runCommand?: CommandRunner;
}

export interface Engine extends EngineApi {
  proxyPort: number;
  /** PCP TCP port, null when PCP is not started. */
  pcpPort: number | null;
  state: ClusterState;
  failover: FailoverManager;
  stop(mode?: ShutdownMode): Promise<void>;
}

export async function startEngine(opts: StartEngineOptions): Promise<Engine> {
  const logger = opts.logger ?? createLogger();
  let config = opts.config;
  // Reload replaces the value; long-lived modules read getConfig() per use or follow live.onChange.
  const live = new LiveConfig({ config, hba: opts.hba ?? [], poolPasswd: opts.poolPasswd });
  const getConfig = (): PgwardenConfig => config;
  const log = logger.child('engine');
  const state = new ClusterState(config.backend_clustering_mode, config.backends);
  const startedAt = new Date();
  const tasks = new TaskGroup((name, err) => log.error(`task ${name} failed: ${String(err)}`));
  const stopController = new AbortController();

  // pgpool_status lives in logdir (pgwarden's data_directory when logdir is unset).
  const statusDir = config.logdir || config.data_directory;
  await restoreStatus(state, statusDir, !!opts.discardStatus, log);
  const writeStatus = createStatusWriter(statusDir, (e) =>
    log.warn(`could not write pgpool_status: ${String(e)}`),
  );
  const persistStatus = (): void => void writeStatus(state.nodes.map((n) => n.status));

  const lookup = (user: string): string | undefined => poolPasswdLookup(live.snapshot().poolPasswd)(user);
  const probes = new BackendProbes(getConfig, lookup);
  const findPrimary = () =>
    findPrimaryRepeatedly({
      validNodes: () =>
        state.validNodeIds().map((id) => {
          const n = state.node(id)!;
          return { id, hostname: n.hostname, port: n.port, alwaysPrimary: n.flags.alwaysPrimary };
        }),
      isInRecovery: (id) => probes.isInRecovery(id),
      walReceiver: (id) => probes.walReceiver(id),
      detachFalsePrimary: config.detach_false_primary,
      logger: logger.child('primary'),
      timeoutS: config.search_primary_node_timeout,
      sleep: (ms) => abortableSleep(ms, stopController.signal),
      signal: stopController.signal,
    });

  // Load-balance eligibility (delay_threshold, status) follows every delay sample and topology change.
  const refreshLb = (): void => {
    for (const id of refreshEligibility(state, config)) {
      const n = state.node(id)!;
      log.log(
        n.loadBalanceEligible
          ? `node ${id} is load balanced again`
          : `node ${id} no longer load balanced: ${n.notLoadBalancedReason ?? ''}`,
      );
    }
  };
  let srChecker: SrChecker | null = null;
  const failover = new FailoverManager({
    state,
    config: getConfig,
    logger: logger.child('failover'),
    findPrimary,
    persistStatus,
    runCommand: opts.runCommand,
    isInRecovery: (id) => probes.isInRecovery(id),
    watchRecovery: (id) => probes.recoveryWatch(id),
    onTopologyChanged: () => {
      refreshLb();
      srChecker?.kick();
    },
  });

  if (state.isStreaming()) {
    const d = await findPrimary();
    state.setPrimary(d.primary, { code: 'startup', message: `primary detection at start-up: ${d.why}` });
  }
  persistStatus();
  const metrics = metricsOf(state); // counts failovers/recoveries from here on

  const health = new HealthChecker({
    state,
    config: getConfig,
    failover,
    logger: logger.child('health'),
    lookup,
    probe: opts.healthProbe,
  });
  health.start(tasks);
  srChecker = new SrChecker({
    state,
    config: getConfig,
    probes,
    failover,
    logger: logger.child('sr_check'),
    onDelayUpdated: refreshLb,
  });
  refreshLb();
  srChecker.start(tasks);

  let proxy: ProxyServer | null = null;
  // Online recovery holds new sessions in the proxy's admission queue (native replication) and waits for sessions.
  let admission: Admission | null = null;
  const recovery = new RecoveryManager({
    state,
    config: getConfig,
    logger: logger.child('recovery'),
    failover,
    lookup,
    gate:
      opts.proxy === false
        ? null
        : createProxyGate(
            () => proxy,
            () => admission,
          ),
  });
  const admin = new AdminActions({
    state,
    config: getConfig,
    failover,
    logger: log,
    sessionsUsing: async (nodeId) => {
      if (!proxy) return 0;
      return proxy.sessions().filter((s) => s.loadBalanceNode === nodeId || nodeId === state.primaryNodeId)
        .length;
    },
  });

  state.emit({
    kind: 'engine_started',
    nodeId: null,
    summary: `pgwarden started: ${config.backends.length} node(s), primary ${state.primaryNodeId}`,
    reason: null,
    outcome: 'info',
  });

  let pcp: PcpServerHandle | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (mode: ShutdownMode = 'fast'): Promise<void> => {
    stopping ??= (async () => {
      state.emit({
        kind: 'engine_stopping',
        nodeId: null,
        summary: `shutdown (${mode})`,
        reason: null,
        outcome: 'info',
      });
      stopController.abort();
      recovery.cancelCurrent();
      failover.stop();
      // A failover or follow_primary_command in flight gets a moment to finish (its event is then recorded).
      await Promise.race([failover.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
      await pcp?.close().catch((e: unknown) => log.warn(`PCP close failed: ${String(e)}`));
      await proxy?.close(mode).catch((e: unknown) => log.warn(`proxy close failed: ${String(e)}`));
      failover.setSessionTerminator(null);
      registerReplicationFailover(state, null);
      const stuck = await tasks.stopAll(5000);
      if (stuck.length) log.warn(`tasks did not stop in time: ${stuck.join(', ')}`);
      await writeStatus(state.nodes.map((n) => n.status));
    })();
    return stopping;
  };

  const engine: Engine = {
    proxyPort: 0,
    pcpPort: null,
    state,
    failover,
    stop,
    async snapshot(): Promise<ClusterSnapshot> {
      return {
        mode: state.mode,
        primaryNodeId: state.primaryNodeId,
        mainNodeId: state.mainNodeId,
        nodes: structuredClone(state.nodes),
        failoverInProgress: failover.busy,
        recoveryInProgress: recovery.inProgress,
        clientSessions: { active: proxy?.stats().sessions ?? 0, max: config.num_init_children },
        startedAt,
        version: ENGINE_VERSION,
      };
    },
    async events(o) {
      return state.events(o);
    },
    subscribe: (listener: (e: EngineEvent) => void) => state.subscribe(listener),
    detachNode: (id, req) => admin.detach(id, req),
    attachNode: (id, req) => admin.attach(id, req),
    promoteNode: (id, req) => admin.promote(id, req),
    setWeight: (id, w, req) => admin.setWeight(id, w, req),
    startRecovery: async (id, req) => recovery.start(id, req),
    recoveryRun: async (runId): Promise<RecoveryRun | null> => recovery.run(runId),
    recoveryRuns: async (): Promise<RecoveryRun[]> => recovery.list(),
    cancelRecovery: (runId, req) => recovery.cancel(runId, req),
    sessions: async () => proxy?.sessions() ?? [],
    pools: async () => proxy?.pools() ?? [],
    healthCheckStats: async (): Promise<HealthCheckStats[]> => health.snapshot(),
    metrics: async () => metrics.snapshot(),
    effectiveConfig: async () => maskConfig(config),
    async reload(req: AdminRequest) {
      if (!opts.reloadConfig)
        throw new EngineError(
          'not_implemented',
          'this engine was started without a configuration source to reload',
        );
      const r = await applyReload(config, opts.reloadConfig, state);
      config = r.config;
      if (r.pcpUsers) pcp?.setUsers(r.pcpUsers);
      refreshLb();
      const was = live.snapshot();
      const failed = await live.set({
        config,
        hba: r.hba ?? was.hba,
        poolPasswd: r.poolPasswd ?? was.poolPasswd,
      });
      r.warnings.push(...failed.map((f) => `reload not fully applied: ${f}`));
      state.emit({
        kind: 'config_reloaded',
        nodeId: null,
        actor: req.actor,
        summary: `configuration reloaded${r.warnings.length ? ` with ${r.warnings.length} warning(s)` : ''}`,
        reason: req.reason ? { code: 'admin_reload', message: req.reason } : null,
        outcome: 'ok',
        details: { warnings: r.warnings, changed: r.changed },
      });
      return { warnings: r.warnings };
    },
    shutdown: (mode) => stop(mode),
  };
  // Health checks and sr_check read getConfig() per round: wake them so new periods apply now.
  live.onChange(() => {
    health.kick();
    srChecker?.kick();
  });
  if (opts.proxy !== false) {
    try {
      const buildRouter = async (cfg: PgwardenConfig) => {
        const r = createRouter({
          config: cfg,
          state,
          logger: logger.child('router'),
          catalog: { password: lookup }, // pg_proc volatility, temp/unlogged tables (router/catalog-source.ts)
        });
        await r.ready;
        return r;
      };
      const router = await buildRouter(config);
      // SHOW pool_* / PGPOOL SET...: each command sees the live state and the current config.
      const admin = createAdminHandler((session) => ({
        state,
        config,
        session,
        sessions: () => proxy?.sessions() ?? [],
        pools: () => proxy?.pools() ?? [],
        healthCheckStats: () => health.snapshot(),
        version: ENGINE_VERSION,
      }));
      const started = captureAdmissions(() =>
        startProxy({
          config,
          state,
          router,
          failover,
          admin,
          logger,
          poolPasswd: opts.poolPasswd,
          hba: opts.hba,
        }),
      );
      proxy = await started.result;
      // Reload: new sessions get the new config, a router built from it, and the re-read pool_hba/pool_passwd.
      // The router is rebuilt only when a global parameter changed (weights and flags live in the cluster state);
      // sessions started before keep the old one (it stays subscribed to state events: reloads are rare).
      live.onChange(async (next, prev) => {
        const globals = (c: PgwardenConfig) => JSON.stringify({ ...c, backends: null, files: null });
        const r = globals(next.config) === globals(prev.config) ? undefined : await buildRouter(next.config);
        proxy?.reconfigure({ config: next.config, router: r, hba: next.hba, poolPasswd: next.poolPasswd });
      });
      admission = started.admissions[0] ?? null;
      failover.setSessionTerminator(proxy);
      // Native replication: a mismatch detaches the minority through the same failover queue (reference §4.2).
      registerReplicationFailover(state, failover);
      engine.proxyPort = proxy.port;
    } catch (e) {
      await stop('immediate');
      throw new EngineError('internal', `could not start the proxy: ${String(e)}`, { cause: e });
    }
  }
  if (opts.pcp !== false) {
    try {
      pcp = await startPcpServer({ config, engine, logger, users: opts.pcpUsers ?? [] });
      engine.pcpPort = pcp.port;
    } catch (e) {
      await stop('immediate');
      throw new EngineError('internal', `could not start the PCP listener: ${String(e)}`, { cause: e });
    }
  }
  return engine;
}

async function restoreStatus(state: ClusterState, dir: string, discard: boolean, log: Logger): Promise<void> {
  if (discard) {
    log.log('discarding pgpool_status (-D): every node starts waiting');
    return;
  }
  let statuses;
  try {
    statuses = await readStatusFile(dir, state.nodes.length);
  } catch (e) {
    log.warn(`could not read pgpool_status: ${String(e)}`);
    return;
  }
  if (statuses === 'missing') return;
  if (statuses === null) {
    log.log('pgpool_status has no node up: treated as bogus, every node starts waiting');
    return;
  }
  statuses.forEach((s, id) => {
    if (s === 'down')
      state.setStatus(id, 'down', { code: 'status_file', message: 'down in pgpool_status at start-up' });
    else if (s === 'unused')
      state.setStatus(id, 'unused', { code: 'status_file', message: 'unused in pgpool_status at start-up' });
  });
}
