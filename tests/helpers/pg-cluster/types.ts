// Types of the pg-cluster helper (re-exported by tests/helpers/pg-cluster.ts).

export type StopMode = 'smart' | 'fast' | 'immediate';
export type AuthMethod = 'trust' | 'md5' | 'scram-sha-256';

export interface PgUser {
  name: string;
  password: string;
  superuser?: boolean;
}

export interface PgNode {
  id: number;
  /** application_name of the node (e.g. 'node0'); standbys connect with it in primary_conninfo. */
  name: string;
  host: '127.0.0.1';
  port: number;
  dataDir: string;
  /** The node's own directory (parent of dataDir): Unix socket, server log. */
  socketDir: string;
  /** Server log file (pg_ctl -l). */
  logFile: string;
  /** WAL archive this node writes to (archive_command). */
  archiveDir: string;
  start(): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  promote(): Promise<void>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  isRunning(): Promise<boolean>;
  /** Postmaster pid from postmaster.pid, or null when no live postmaster. */
  pid(): number | null;
  waitReady(timeoutMs?: number): Promise<void>;
  /** Runs one statement via node-postgres as superuser 'postgres' over the Unix socket (trust). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], db?: string): Promise<T[]>;
  /** TCP connection string to 127.0.0.1:port; includes the password when the user was created by the helper. */
  connectionString(db?: string, user?: string): string;
  /** psql -X -v ON_ERROR_STOP=1 -c sql over the Unix socket; never throws on a non-zero exit. */
  psql(
    sql: string,
    opts?: { db?: string; user?: string },
  ): Promise<{ stdout: string; stderr: string; code: number }>;
}

export interface PgCluster {
  mode: 'streaming' | 'independent';
  nodes: PgNode[];
  /** The current primary: updated when a node of this cluster is promoted. In independent mode: node0. */
  primary: PgNode;
  baseDir: string;
  /** WAL archive of the primary (node0 in independent mode; each independent node archives to its own dir). */
  archiveDir: string;
  users: PgUser[];
  destroy(): Promise<void>;
}

export interface CreateClusterOptions {
  mode: 'streaming' | 'independent';
  /** Total node count (streaming: 1 primary + nodes-1 standbys). */
  nodes: number;
  /** pg_hba method for 127.0.0.1 host connections (local and replication connections are always trust). */
  auth?: AuthMethod;
  /** Created on the primary (streaming) or on all nodes (independent). A 'postgres' entry sets its password. */
  users?: PgUser[];
  extraConf?: Record<string, string>;
  /** CREATE EXTENSION pgpool_recovery in template1 (baked into the cached template). */
  pgpoolRecovery?: boolean;
  /** Fixed directory (the demo uses ./.demo); with keep, an existing cluster there is reused. */
  baseDir?: string;
  /** destroy() stops the servers but keeps the directories; a later createCluster with the same baseDir reuses them. */
  keep?: boolean;
  /** Max time for the whole cluster to become ready. Default 60 s. */
  timeoutMs?: number;
}

export interface CreateStandbyOptions {
  id?: number;
  name?: string;
  /** Directory under which the node dir is created. Default: the primary's cluster baseDir. */
  baseDir?: string;
  extraConf?: Record<string, string>;
  /** Start the standby and wait until it streams. Default true. */
  start?: boolean;
  /**
   * false: only allocate the node (port, directory, node.conf) with NO data directory, e.g. as the target of an
   * online recovery (pcp_recovery_node) that fills node.dataDir. Default true.
   */
  basebackup?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export type Env = Record<string, string | undefined>;

export interface ClusterHandle {
  readonly cluster: PgCluster;
  readonly primary: PgNode;
  readonly nodes: PgNode[];
}
