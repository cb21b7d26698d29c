/**
 * startProxy: the client-facing half of the engine (the equivalent of pgpool's children): listeners, sessions,
 * the connection pool, cancel forwarding, session termination on failover, and shutdown modes.
 *
 * child_life_time and child_max_connections have no process meaning here (no per-client processes to recycle):
 * they are accepted and ignored. connection_life_time maps to closing cached backend connections idle that long;
 * max_pool bounds cached connections per node to num_init_children * max_pool (pool/pool.ts).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { createSecureContext } from 'node:tls';
import type { SessionEntry, PoolEntry, ShutdownMode } from './api';
import type { HbaRule, PgwardenConfig, PoolPasswdEntry } from './config/types';
import type { FailoverRequester, SessionTerminator } from './failover/types';
import type { Router } from './router/types';
import type { Logger } from './runtime/logger';
import type { ClusterState } from './state/cluster-state';
import { probeNodeSettled } from './backend/probe';
import { Admission } from './frontend/admission';
import type { AdminHandler } from './frontend/admin-hook';
import { CancelRegistry } from './frontend/cancel-registry';
import { createDefaultRouter } from './frontend/default-router';
import { startListeners } from './frontend/listener';
import type { ClientSession } from './frontend/session';
import { handleConnection, type ProxyContext } from './frontend/startup';
import { ConnectionPool } from './pool/pool';

/** After reporting a node down, further losses on it within this window are the same event. */
const REPORT_COOLDOWN_MS = 10_000;

export interface ProxyDeps {
  config: PgwardenConfig;
  state: ClusterState;
  router?: Router;
  failover?: FailoverRequester;
  admin?: AdminHandler;
  logger: Logger;
  poolPasswd?: ReadonlyMap<string, PoolPasswdEntry>;
  hba?: HbaRule[];
}

export interface ProxyStats {
  sessions: number;
  waitingClients: number;
  cachedConnections: number;
  poolHits: number;
  poolMisses: number;
  acceptedConnections: number;
}

export interface ProxyServer extends SessionTerminator {
  port: number;
  socketPath: string | null;
  close(mode: ShutdownMode): Promise<void>;
  sessions(): SessionEntry[];
  pools(): PoolEntry[];
  stats(): ProxyStats;
  /** Reload: new sessions start with these (running sessions keep the context they started with). */
  reconfigure(next: {
    config: PgwardenConfig;
    router?: Router;
    hba: HbaRule[];
    poolPasswd: ProxyDeps['poolPasswd'];
  }): void;
}

export async function startProxy(deps: ProxyDeps): Promise<ProxyServer> {
  const { config, state } = deps;
  const logger = deps.logger.child('proxy');
  const pool = new ConnectionPool({
    enabled: config.connection_cache,
    maxPerNode: Math.max(1, config.num_init_children * config.max_pool),
    lifeTimeSec: config.connection_life_time,
    // reset_query_list is reloadable: read the proxy's current config (reconfigure) each time.
    get resetQueries() {
      return ctx.config.reset_query_list;
    },
    logger,
    // An idle pooled connection dropped by its server: probe the node now, not at the next health check.
    onServerClosed: (nodeId) =>
      backendLost(nodeId, { fatal: null, socketError: 'idle pooled connection closed' }),
  });
  const sessions = new Map<number, ClientSession>();
  const admission = new Admission(config.num_init_children, config.reserved_connections);
  const cancels = new CancelRegistry();
  let nextId = 1;
  let accepting = true;
  let accepted = 0;
  const probing = new Set<number>();
  const reported = new Map<number, number>();

  const backendLost = (
    nodeId: number,
    info: { fatal: { code: string; message: string } | null; socketError: string | null },
  ): void => {
    if (
      !ctx.config.failover_on_backend_error ||
      !deps.failover ||
      probing.has(nodeId) ||
      !state.isValid(nodeId)
    )
      return;
    // Every session on a dead node notices at once: one probe, and one report per node per cooldown.
    if (Date.now() - (reported.get(nodeId) ?? 0) < REPORT_COOLDOWN_MS) return;
    const node = state.node(nodeId);
    if (!node || !node.flags.allowToFailover) return;
    probing.add(nodeId);
    const timeout = config.backends[nodeId]?.health_check.connect_timeout || 10_000;
    void probeNodeSettled(node.hostname, node.port, 'postgres', timeout, {
      shutdownIsDown: ctx.config.failover_on_backend_shutdown,
    })
      .then(({ result, detail }) => {
        const down =
          result === 'down' || (result === 'shutting_down' && ctx.config.failover_on_backend_shutdown);
        if (!down) {
          logger.log(`backend connection to node ${nodeId} lost but the node answers: no failover`, {
            fatal: info.fatal?.message,
            socketError: info.socketError,
          });
          return;
        }
        reported.set(nodeId, Date.now());
        const why = info.fatal
          ? `${info.fatal.code} ${info.fatal.message}`
          : (info.socketError ?? 'connection lost');
        return deps.failover?.requestNodeDown({
          nodeIds: [nodeId],
          reason: {
            code: 'backend_error',
            message: `backend connection to node ${nodeId} failed (${why}) and a fresh connection failed too (${detail})`,
            details: { probe: result },
          },
          switchover: true,
        });
      })
      .catch((e: unknown) =>
        logger.warn('failover request failed', { node: nodeId, error: (e as Error).message }),
      )
      .finally(() => probing.delete(nodeId));
  };

  let tls: ProxyContext['tls'] = null;
  if (config.ssl) {
    const context = createSecureContext({
      cert: readFileSync(config.ssl_cert),
      key: readFileSync(config.ssl_key),
      ca: config.ssl_ca_cert ? readFileSync(config.ssl_ca_cert) : undefined,
    });
    const ca = config.ssl_ca_cert
      ? splitPem(readFileSync(config.ssl_ca_cert, 'utf8')).map((p) => new X509Certificate(p))
      : [];
    tls = { context, requestCert: !!config.ssl_ca_cert, ca };
  }

  const pending = new Set<net.Socket>();
  const ctx: ProxyContext = {
    config,
    state,
    router: deps.router ?? createDefaultRouter(state),
    pool,
    logger,
    admin: deps.admin,
    backendLost,
    backendConnected: (nodeId) => deps.failover?.nodeConnected?.(nodeId),
    primarySettled: () => deps.failover?.primarySettled?.() ?? Promise.resolve(),
    sessionClosed: (s) => {
      const sess = sessions.get(s.id);
      if (!sess) return;
      sessions.delete(s.id);
      cancels.unregister(sess.init.cancelPid, sess.init.cancelKey);
      admission.release(sess.init.slot);
      if (sessions.size === 0) for (const w of idleWaiters.splice(0)) w();
    },
    admission,
    cancels,
    tls,
    hba: deps.hba ?? [],
    poolPasswd: deps.poolPasswd,
    sessions,
    nextSessionId: () => nextId++,
    accepting: () => accepting,
    pending,
  };
  const idleWaiters: (() => void)[] = [];

  const listeners = await startListeners(
    {
      listen_addresses: config.listen_addresses,
      port: config.port,
      socket_dir: config.socket_dir,
      backlog: Math.max(511, config.num_init_children * (config.listen_backlog_multiplier || 2)),
    },
    (socket) => {
      accepted++;
      handleConnection(socket, ctx);
    },
  );
  logger.log(`pgwarden proxy listening on ${config.listen_addresses}:${listeners.port}`, {
    socket: listeners.socketPath,
  });

  // client_idle_limit / client_idle_limit_in_recovery: one 1 s tick for all sessions (pgpool's select() timeout),
  // so the relay path carries no per-session timer. Online recovery holding new sessions is pgpool's InRecovery.
  const idleTimer = setInterval(() => {
    if (sessions.size === 0) return;
    const inRecovery = admission.blocked;
    for (const s of [...sessions.values()]) s.idleTick(inRecovery);
  }, 1000);
  idleTimer.unref();

  let listenersClosed: Promise<void> | null = null;
  const terminateSessions = (opts: { nodeIds?: number[]; all?: boolean; message: string }): number => {
    let n = 0;
    for (const s of [...sessions.values()]) {
      const ids = opts.nodeIds ?? [];
      // Partial restart: a session that only has idle links to the node loses them, not its client (failover #8).
      if (!opts.all && ids.every((id) => !s.usesNode(id) || s.dropLink(s.links.get(id)!))) continue;
      if (opts.all || ids.some((id) => s.usesNode(id))) {
        s.terminate(opts.message);
        n++;
      }
    }
    pool.closeNodes(opts.all ? 'all' : (opts.nodeIds ?? []));
    return n;
  };

  return {
    port: listeners.port,
    socketPath: listeners.socketPath,
    reconfigure: (next) => {
      Object.assign(ctx, { config: next.config, hba: next.hba, poolPasswd: next.poolPasswd });
      if (next.router) ctx.router = next.router;
    },
    terminateSessions,
    sessions: () => [...sessions.values()].map((s) => s.entry()),
    pools: () => poolEntries(sessions, pool),
    stats: () => ({
      sessions: sessions.size,
      waitingClients: admission.waiting,
      cachedConnections: pool.size(),
      poolHits: pool.hits,
      poolMisses: pool.misses,
      acceptedConnections: accepted,
    }),
    async close(mode) {
      accepting = false;
      // Idempotent: a second close (e.g. smart, then immediate) must not wait for listeners that already closed.
      listenersClosed ??= listeners.close();
      await listenersClosed;
      for (const s of pending) s.destroy();
      if (mode === 'smart' && sessions.size > 0) await new Promise<void>((r) => idleWaiters.push(r));
      else if (mode === 'fast')
        for (const s of [...sessions.values()])
          s.terminate('terminating connection due to administrator command');
      else if (mode === 'immediate') for (const s of [...sessions.values()]) s.destroy();
      clearInterval(idleTimer);
      pool.stop();
    },
  };
}

function poolEntries(sessions: Map<number, ClientSession>, pool: ConnectionPool): PoolEntry[] {
  const out: PoolEntry[] = [];
  for (const s of sessions.values()) {
    for (const c of s.backendConnections()) {
      out.push({
        poolPid: s.init.slot + 1, // as sessionEntry(): > 0, pcp_proc_info -P <pid>
        startTime: s.startTime,
        poolId: 0,
        backendId: c.nodeId,
        database: s.database,
        username: s.user,
        backendConnectionTime: new Date(c.createdAt),
        clientConnectionTime: s.startTime,
        clientDisconnectionTime: null,
        clientIdleDuration: 0,
        majorVersion: 3,
        minorVersion: 0,
        poolCounter: s.queries,
        backendPid: c.pid,
        connected: true,
        status: 'in use',
      });
    }
  }
  let i = 0;
  for (const c of pool.cached()) {
    out.push({
      poolPid: -1,
      startTime: new Date(c.conn.createdAt),
      poolId: i++,
      backendId: c.conn.nodeId,
      database: c.conn.database,
      username: c.conn.user,
      backendConnectionTime: new Date(c.conn.createdAt),
      clientConnectionTime: null,
      clientDisconnectionTime: new Date(c.releasedAt),
      clientIdleDuration: Math.round((Date.now() - c.releasedAt) / 1000),
      majorVersion: 3,
      minorVersion: 0,
      poolCounter: c.uses,
      backendPid: c.conn.pid,
      connected: true,
      status: 'cached',
    });
  }
  return out;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
