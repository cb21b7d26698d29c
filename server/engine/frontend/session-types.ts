/**
 * What a client session needs from the proxy around it. Sessions hold no globals: everything arrives through this
 * object, so a future engine thread can host sessions with its own copy (ARCHITECTURE.md, performance note).
 */
import type { BackendConnection } from '../backend/connection';
import type { PgwardenConfig } from '../config/types';
import type { ErrorFields } from '../protocol/messages';
import type { Router } from '../router/types';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import type { ConnectionPool, PooledAuth } from '../pool/pool';
import type { AdminHandler } from './admin-hook';

export interface SessionServices {
  config: PgwardenConfig;
  state: ClusterState;
  router: Router;
  pool: ConnectionPool;
  logger: Logger;
  admin?: AdminHandler;
  /** A backend connection died under a session: the proxy decides whether it is a failover matter. */
  backendLost(nodeId: number, info: { fatal: ErrorFields | null; socketError: string | null }): void;
  sessionClosed(session: { id: number }): void;
  /** A session holds a working connection to the node: pgpool's CON_CONNECT_WAIT -> CON_UP ("waiting" -> "up"). */
  backendConnected(nodeId: number): void;
  /** Resolves when no failover of the primary is in progress (bounded): new sessions wait for the new primary. */
  primarySettled?(): Promise<void>;
}

export interface SessionInit {
  id: number;
  /** Session slot (pgpool's "process"), stable for SHOW pool_processes. */
  slot: number;
  /** pgwarden-generated BackendKeyData the client holds for CancelRequest. */
  cancelPid: number;
  cancelKey: number;
  user: string;
  database: string;
  params: Map<string, string>;
  clientAddress: string;
  poolKey: string;
  pooledAuth: PooledAuth;
  loadBalanceNode: number;
  /** Connections already started (pool or fresh), by node id; the first is the main one. */
  backends: BackendConnection[];
  /** Opens a connection to another node with this session's credentials (lazy connect). */
  connectNode(nodeId: number): Promise<BackendConnection>;
  /** Bytes the client sent after authentication, before the relay started. */
  leftover: Buffer;
}
