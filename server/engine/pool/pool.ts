/**
 * Backend connection cache (connection_cache, max_pool, connection_life_time, reset_query_list; reference §10).
 *
 * pgpool caches up to max_pool connection sets per child process and has num_init_children children. pgwarden has no
 * per-client processes, so the equivalent bound is global: at most num_init_children * max_pool cached connections
 * per backend node, evicting the one idle the longest when full. Connections are cached one per node (not as sets),
 * since a session connects lazily only to the nodes it uses.
 *
 * A cached connection that dies (pg_terminate_backend, node restart) is dropped without a failover: a closed idle
 * socket says nothing about the node's health. `onServerClosed` lets the proxy probe the node at once (backendLost).
 */
import type { Logger } from '../runtime/logger';
import type { BackendConnection } from '../backend/connection';
import { runSimpleQueries } from '../backend/reset';

export interface PoolOptions {
  enabled: boolean; // connection_cache
  maxPerNode: number; // num_init_children * max_pool
  lifeTimeSec: number; // connection_life_time, 0 = forever
  resetQueries: string[]; // reset_query_list
  logger: Logger;
  now?: () => number;
  /** A cached idle connection was closed (or spoken to) by its server. */
  onServerClosed?: (nodeId: number) => void;
}

export interface CachedConnection {
  key: string;
  conn: BackendConnection;
  /** When the last client released it. */
  releasedAt: number;
  /** Times it has been handed to a client (SHOW pool_pools pool_counter). */
  uses: number;
  /** Secret that authenticated it, so a reusing client can be verified without the backend (relay mode). */
  auth: PooledAuth;
}

export interface PooledAuth {
  method: 'trust' | 'password' | 'md5' | 'scram-sha-256';
  /** Cleartext password the client proved, when known. */
  password: string | null;
}

export class ConnectionPool {
  /** Per node, oldest first. */
  private readonly idle = new Map<number, CachedConnection[]>();
  private readonly now: () => number;
  private reaper: NodeJS.Timeout | null = null;
  hits = 0;
  misses = 0;

  constructor(private readonly o: PoolOptions) {
    this.now = o.now ?? Date.now;
    if (o.enabled && o.lifeTimeSec > 0) {
      const every = Math.max(250, Math.min(o.lifeTimeSec * 1000, 10_000) / 2);
      this.reaper = setInterval(() => this.reap(), every);
      this.reaper.unref();
    }
  }

  /** Takes a cached connection for (key, node) that `accept` approves; the newest first (warm caches). */
  take(
    key: string,
    nodeId: number,
    accept: (c: CachedConnection) => boolean = () => true,
  ): CachedConnection | null {
    const list = this.idle.get(nodeId);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        const c = list[i]!;
        if (c.key !== key || c.conn.closed || !accept(c)) continue;
        list.splice(i, 1);
        this.unwatch(c);
        c.uses++;
        this.hits++;
        return c;
      }
    }
    this.misses++;
    return null;
  }

  /** Resets and caches a connection a client is done with; closes it when caching is off or reset fails. */
  async release(key: string, conn: BackendConnection, auth: PooledAuth, uses: number): Promise<void> {
    if (!this.o.enabled || conn.closed) {
      conn.close();
      return;
    }
    const ok = await runSimpleQueries(conn, this.o.resetQueries);
    if (!ok || conn.closed) {
      this.o.logger.debug('backend connection not reusable after reset, closing', {
        node: conn.nodeId,
        pid: conn.pid,
      });
      conn.close();
      return;
    }
    conn.lastUsed = this.now();
    const c: CachedConnection = { key, conn, releasedAt: this.now(), uses, auth };
    let list = this.idle.get(conn.nodeId);
    if (!list) this.idle.set(conn.nodeId, (list = []));
    list.push(c);
    this.watch(c);
    while (list.length > this.o.maxPerNode) {
      const oldest = list.shift()!;
      this.unwatch(oldest);
      oldest.conn.close();
    }
  }

  /** Idle watchers: a FATAL or EOF on a cached connection drops it quietly. */
  private watch(c: CachedConnection): void {
    const drop = (): void => this.remove(c);
    (c as CachedConnection & { drop?: () => void }).drop = drop;
    c.conn.socket.on('close', drop);
    c.conn.socket.on('data', drop);
    c.conn.socket.resume();
  }

  private unwatch(c: CachedConnection): void {
    const drop = (c as CachedConnection & { drop?: () => void }).drop;
    if (!drop) return;
    c.conn.socket.off('close', drop);
    c.conn.socket.off('data', drop);
  }

  private remove(c: CachedConnection): void {
    const list = this.idle.get(c.conn.nodeId);
    const i = list?.indexOf(c) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
    this.unwatch(c);
    this.o.logger.debug('cached backend connection closed by the server, dropped from the pool', {
      node: c.conn.nodeId,
      pid: c.conn.pid,
    });
    c.conn.destroy();
    this.o.onServerClosed?.(c.conn.nodeId);
  }

  /** connection_life_time: close cached connections idle at least that long. */
  reap(): void {
    if (this.o.lifeTimeSec <= 0) return;
    const limit = this.now() - this.o.lifeTimeSec * 1000;
    for (const list of this.idle.values()) {
      for (const c of list.filter((x) => x.releasedAt <= limit)) {
        list.splice(list.indexOf(c), 1);
        this.unwatch(c);
        c.conn.close();
      }
    }
  }

  /** Closes cached connections of these nodes (node down / failover), or all. */
  closeNodes(nodeIds: number[] | 'all'): void {
    for (const [node, list] of this.idle) {
      if (nodeIds !== 'all' && !nodeIds.includes(node)) continue;
      for (const c of list) {
        this.unwatch(c);
        c.conn.close();
      }
      list.length = 0;
    }
  }

  cached(): CachedConnection[] {
    return [...this.idle.values()].flat();
  }

  size(nodeId?: number): number {
    if (nodeId !== undefined) return this.idle.get(nodeId)?.length ?? 0;
    return this.cached().length;
  }

  stop(): void {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = null;
    this.closeNodes('all');
  }
}
