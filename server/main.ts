/**
 * The process entry: config -> pid file -> engine (worker thread) -> store -> Next.js dashboard -> signals.
 *
 * Engine only (--no-dashboard): the engine runs in this thread (no second V8 isolate) and neither the store
 * (Prisma) nor Next.js is loaded: the dashboard modules are imported only when the dashboard runs. Events then stay
 * in the engine's own history and the log (there is no dashboard to show the stored ones).
 *
 * Signals follow pgpool: SIGTERM smart shutdown (wait for clients), SIGINT fast (disconnect clients), SIGQUIT
 * immediate, SIGHUP reload. A second, stronger signal during a shutdown escalates it. If the engine thread ends on its
 * own (pcp_stop_pgpool), the rest of the process follows.
 */
import type { EngineApi, ShutdownMode } from './engine/api';
import { loadHba, loadPcpConf, loadPoolPasswd } from './engine/config/index';
import type { HbaRule, PcpUser, PgwardenConfig, PoolPasswdEntry } from './engine/config/types';
import { createLogger, type Logger, type LogLevel } from './engine/runtime/logger';
import type { EngineWorkerData } from './engine/worker';
import { resolvePidFile, writePidFile } from './services/runtime/pid-file';
import type { DashboardServer } from './api/dashboard-server';
import type { EventPersister } from './services/events/event-persister';
import type { Store } from './services/store/client';

/** What runServer needs from the engine, in a worker thread (with the dashboard) or in this thread (engine only). */
interface EngineHandle {
  api: EngineApi;
  proxyPort: number;
  exited: Promise<number>;
  stop(mode: ShutdownMode, timeoutMs?: number): Promise<void>;
}

export interface RunServerOptions {
  config: PgwardenConfig;
  /** The files the config came from (pgpool.conf, pcp.conf, pool_hba.conf), as the CLI resolved them. */
  configPaths: { pgpoolConf: string; pcpConf?: string | null; hbaConf?: string | null; poolKeyFile?: string };
  /** pgpool -D: ignore the saved node statuses (pgpool_status). */
  discardStatus: boolean;
  /** false: engine only, no Next.js dashboard / control plane HTTP server. */
  dashboard: boolean;
  logLevel: LogLevel;
  /** Already loaded by loadConfig; read from config.files when absent. */
  pcpUsers?: PcpUser[];
  hbaRules?: HbaRule[];
  poolPasswd?: Map<string, PoolPasswdEntry>;
  logger?: Logger;
  /** Tests: called once everything listens, with where. */
  onReady?: (info: { proxyPort: number; dashboardUrl: string | null }) => void;
  /** Tests: resolve runServer by this signal instead of process signals (which are still installed unless false). */
  stopSignal?: AbortSignal;
  handleSignals?: boolean;
}

const SIGNAL_MODE: Partial<Record<NodeJS.Signals, ShutdownMode>> = {
  SIGTERM: 'smart',
  SIGINT: 'fast',
  SIGQUIT: 'immediate',
};
const STRENGTH: Record<ShutdownMode, number> = { smart: 0, fast: 1, immediate: 2 };

/** Runs pgwarden until it is shut down; resolves when everything has stopped and the pid file is removed. */
export async function runServer(opts: RunServerOptions): Promise<void> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger({ level: opts.logLevel });
  const pidFile = resolvePidFile(config.pid_file_name, config.files.pgpool_conf);
  const removePidFile = pidFile ? writePidFile(pidFile, logger) : () => undefined;

  let pcpUsers = opts.pcpUsers ?? readPcpUsers(config, logger);
  let engine: EngineHandle | null = null;
  let store: Store | null = null;
  let persister: EventPersister | null = null;
  let dashboard: DashboardServer | null = null;
  const signals: [NodeJS.Signals, () => void][] = [];
  const withDashboard = opts.dashboard !== false;
  // The store loads while the engine starts (it never rejects: without a store pgwarden runs without a dashboard).
  const storeOpening = withDashboard ? openControlStore(config, logger) : Promise.resolve(null);
  try {
    const data: Omit<EngineWorkerData, 'tag'> = {
      config,
      discardStatus: opts.discardStatus,
      pcpUsers,
      hba: opts.hbaRules ?? readHba(config, logger),
      poolPasswd: opts.poolPasswd ?? readPoolPasswd(config, opts.configPaths.poolKeyFile, logger),
      configPaths: opts.configPaths,
      logLevel: opts.logLevel,
    };
    engine = withDashboard
      ? await (
          await import('./engine-client')
        ).startEngineWorker(data, {
          onError: (e) => logger.error(`engine thread failed: ${e.stack ?? e.message}`),
        })
      : await startEngineHere(data);
    logger.log(
      `pgwarden engine started${withDashboard ? '' : ' (engine only, in this thread)'}, proxy listening on port ${engine.proxyPort}`,
    );

    store = await storeOpening;
    if (store) {
      const { startEventPersister } = await import('./services/events/event-persister');
      persister = startEventPersister(engine.api, store.client, logger.child('store'));
    }
    if (withDashboard && !store) logger.error('dashboard not started: it needs the control plane store');
    if (withDashboard && store) {
      const [{ setHandle }, { createControlPlane }, { loadSessionSecret }, { startDashboardServer }] =
        await Promise.all([
          import('./api/handle'),
          import('./services/control-plane'),
          import('./services/auth/sessions'),
          import('./api/dashboard-server'),
        ]);
      setHandle({
        engine: engine.api,
        proxyPort: engine.proxyPort,
        services: createControlPlane({
          db: store.client,
          pcpUsers: () => pcpUsers,
          sessionSecret: loadSessionSecret(config.data_directory),
        }),
      });
      dashboard = await startDashboardServer({
        host: config.dashboard_listen_address,
        port: config.dashboard_port,
        logger: logger.child('dashboard'),
      }).catch((err: unknown) => {
        // The proxy matters more than its dashboard: keep serving PostgreSQL clients.
        logger.error(`dashboard not started: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      });
      if (dashboard) logger.log(`dashboard listening on ${dashboard.url}`);
    }
  } catch (err) {
    store ??= await storeOpening;
    await stopAll('immediate');
    throw err;
  }

  const running = engine;
  let requested: ShutdownMode | null = null;
  let resolveStop!: (mode: ShutdownMode) => void;
  const stopRequested = new Promise<ShutdownMode>((r) => (resolveStop = r));
  const requestShutdown = (mode: ShutdownMode, why: string): void => {
    if (requested !== null && STRENGTH[mode] <= STRENGTH[requested]) return;
    logger.log(`received ${why}: ${mode} shutdown${requested ? ` (was ${requested})` : ''}`);
    const escalation = requested !== null;
    requested = mode;
    if (escalation) void running.api.shutdown(mode).catch(() => undefined);
    resolveStop(mode);
  };

  if (opts.handleSignals !== false) {
    for (const [sig, mode] of Object.entries(SIGNAL_MODE) as [NodeJS.Signals, ShutdownMode][]) {
      const h = (): void => requestShutdown(mode, sig);
      process.on(sig, h);
      signals.push([sig, h]);
    }
    const onHup = (): void => {
      logger.log('received SIGHUP: reloading configuration');
      running.api.reload({ actor: { name: 'SIGHUP', interface: 'cli' }, reason: 'SIGHUP' }).then(
        ({ warnings }) => {
          warnings.forEach((w) => logger.warn(w));
          pcpUsers = readPcpUsers(config, logger);
        },
        (err: unknown) => logger.error(`reload failed: ${String(err)}`),
      );
    };
    process.on('SIGHUP', onHup);
    signals.push(['SIGHUP', onHup]);
  }
  // pcp_stop_pgpool shuts the engine down from inside: the rest of the process follows at once (a worker thread
  // that outlives its engine would otherwise keep the process, and the dashboard, up).
  const unsubscribe = running.api.subscribe((e) => {
    if (e.kind === 'engine_stopping' && requested === null)
      requestShutdown('fast', 'an engine shutdown request (pcp_stop_pgpool)');
  });
  opts.stopSignal?.addEventListener('abort', () => requestShutdown('fast', 'stop request'), { once: true });
  void running.exited.then((code) => {
    if (requested === null)
      logger.log(`engine stopped (exit code ${code})${withDashboard ? '; stopping the dashboard' : ''}`);
    requested ??= 'fast';
    resolveStop(requested);
  });

  opts.onReady?.({ proxyPort: running.proxyPort, dashboardUrl: dashboard?.url ?? null });
  const mode = await stopRequested;
  unsubscribe();
  await stopAll(mode);
  logger.log('pgwarden stopped');

  async function stopAll(mode: ShutdownMode): Promise<void> {
    // The dashboard first (no new admin actions), then the engine, then the store once its last events are in.
    await dashboard
      ?.close(mode !== 'smart')
      .catch((e: unknown) => logger.warn(`dashboard close: ${String(e)}`));
    if (dashboard) (await import('./api/handle')).setHandle(undefined);
    await engine?.stop(mode, mode === 'smart' ? 24 * 3600_000 : mode === 'fast' ? 30_000 : 5_000);
    await persister?.stop();
    await store?.close().catch(() => undefined);
    for (const [sig, h] of signals) process.off(sig, h);
    removePidFile();
  }
}

/**
 * The engine in this thread (engine only): the same start-up as the worker's, and `exited` resolves once the engine
 * has stopped, whoever asked (a signal here, or pcp_stop_pgpool).
 */
async function startEngineHere(data: Omit<EngineWorkerData, 'tag'>): Promise<EngineHandle> {
  const { startEngineFromData } = await import('./engine/worker');
  const engine = await startEngineFromData(data);
  let resolveExited!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExited = r));
  const stopAndExit = (mode: ShutdownMode): Promise<void> =>
    engine.stop(mode).then(
      () => resolveExited(0),
      () => resolveExited(1),
    );
  engine.subscribe((e) => {
    // pcp_stop_pgpool (and any other engine-side shutdown) goes through EngineApi.shutdown: follow it.
    if (e.kind === 'engine_stopping') setImmediate(() => void stopAndExit('fast'));
  });
  return {
    api: engine,
    proxyPort: engine.proxyPort,
    exited,
    async stop(mode, timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
      try {
        await Promise.race([stopAndExit(mode), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function openControlStore(config: PgwardenConfig, logger: Logger): Promise<Store | null> {
  const [{ openStore, resolveStoreLocation }, { migrateStore }] = await Promise.all([
    import('./services/store/client'),
    import('./services/store/migrate'),
  ]);
  const location = resolveStoreLocation(config.store_url, config.data_directory);
  try {
    const store = await openStore(location);
    const applied = await migrateStore(store);
    if (applied.length > 0) logger.log(`store migrated: ${applied.join(', ')}`);
    return store;
  } catch (err) {
    // No store: no audit trail and no dashboard, but PostgreSQL clients keep being served.
    const where = location.provider === 'sqlite' ? location.url : 'store_url';
    logger.error(
      `control plane store unavailable (${where}): ${err instanceof Error ? err.message : String(err)}`,
    );
    return null;
  }
}

function readPcpUsers(config: PgwardenConfig, logger: Logger): PcpUser[] {
  if (!config.files.pcp_conf) return [];
  const r = loadPcpConf(config.files.pcp_conf);
  [...r.warnings, ...r.errors].forEach((d) => logger.warn(d.format()));
  return r.users;
}

function readHba(config: PgwardenConfig, logger: Logger): HbaRule[] {
  if (!config.enable_pool_hba || !config.files.pool_hba_conf) return [];
  const r = loadHba(config.files.pool_hba_conf);
  [...r.warnings, ...r.errors].forEach((d) => logger.warn(d.format()));
  return r.rules;
}

function readPoolPasswd(
  config: PgwardenConfig,
  poolKeyFile: string | undefined,
  logger: Logger,
): Map<string, PoolPasswdEntry> {
  if (!config.files.pool_passwd) return new Map();
  const r = loadPoolPasswd(config.files.pool_passwd, { poolKeyFile });
  [...r.warnings, ...r.errors].forEach((d) => logger.warn(d.format()));
  return r.entries;
}
