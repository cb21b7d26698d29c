/**
 * pgpool's SQL admin statements served on the proxy port (reference §2): `SHOW pool_*`, `PGPOOL SHOW/SET/RESET`.
 * One command per file, one registry (ARCHITECTURE.md rule 8). A command is a function of an AdminContext built by
 * the proxy for the asking session; it returns rows (RowDescription + DataRows + `SELECT n`) or a command tag.
 */
import type { HealthCheckStats, PoolEntry, SessionEntry } from '../api';
import type { PgwardenConfig } from '../config/types';
import type { ClusterState } from '../state/cluster-state';

/** The asking client session: its LB node (SHOW pool_nodes load_balance_node) and its PGPOOL SET values. */
export interface AdminSession {
  loadBalanceNode: number;
  /** PGPOOL SET values of this session, by parameter name (as typed, validated). PGPOOL RESET removes them. */
  overrides: Map<string, string>;
  /** The session's slot as SHOW pool_processes numbers it: it is executing this command ('Execute command'). */
  poolPid?: number;
}

/** Query cache statistics (SHOW pool_cache); pgwarden has no query cache yet, so all zero when absent. */
export interface CacheStats {
  numCacheHits: number;
  numSelects: number;
  numHashEntries: number;
  usedHashEntries: number;
  numCacheEntries: number;
  usedCacheEntriesSize: number;
  freeCacheEntriesSize: number;
  fragmentCacheEntriesSize: number;
}

export interface AdminContext {
  state: ClusterState;
  config: PgwardenConfig;
  session: AdminSession;
  sessions(): SessionEntry[];
  pools(): PoolEntry[];
  healthCheckStats(): HealthCheckStats[];
  cacheStats?(): CacheStats;
  /** pgwarden's own version (package.json), appended to pool_version. */
  version?: string;
  /** Clock for tests (SHOW times are local time). */
  now?: () => Date;
}

export interface AdminRows {
  columns: string[];
  rows: string[][];
}

export interface AdminTag {
  tag: string;
}

export type AdminResult = AdminRows | AdminTag;

/** An ERROR to send to the client (ErrorResponse severity ERROR; the session continues). */
export interface AdminError {
  error: { sqlstate: string; message: string; detail?: string };
}

export interface AdminCommand {
  /** Registry key: the SHOW name (`pool_nodes`) or `pgpool_show` / `pgpool_set` / `pgpool_reset`. */
  name: string;
  run(ctx: AdminContext, args: string[]): AdminResult | AdminError;
}

export function isAdminError(r: AdminResult | AdminError): r is AdminError {
  return 'error' in r;
}
