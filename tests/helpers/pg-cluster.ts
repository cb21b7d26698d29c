// Real PostgreSQL 15 clusters for integration tests, the demo and benchmarks.
//
// Why this shape:
// - initdb costs ~1-2 s, so it runs ONCE per (PostgreSQL version, initdb options, template extensions) into a cached
//   template directory under /tmp; every primary or independent node is a `cp -a` of it (~50 ms), and standbys are
//   `pg_basebackup -R -c fast -X stream` from the primary, like a DBA would build them.
// - initdb and postgres refuse to run as root: when we are root, every server-side command runs as the `postgres` OS
//   user (spawn uid/gid, equivalent to `runuser -u postgres --` without a PAM session) in directories it owns.
// - Ports are allocated below the ephemeral range (32768+, which benchmarks fill with client sockets), checked free by
//   binding, and reserved across the parallel vitest forks by an O_EXCL lock file in /tmp/pgwarden-ports.
// - Nothing may survive the suite: destroy() stops every server immediately and removes the directories, and a
//   process-exit safety net SIGQUITs (PostgreSQL's "immediate shutdown") every postmaster we started.
//
// Network rule: servers listen on 127.0.0.1 only; helper connections use the node's Unix socket (always `trust`).
//
// This file is the public entry point (tests import it); the code lives in ./pg-cluster/:
//   types.ts       PgNode, PgCluster, options          proc.ts      run as postgres, pids, dirs, clusterRoot()
//   ports.ts       freePort/releasePort (lock files)    safety-net.ts SIGQUIT every postmaster on exit/signals
//   template.ts    cached initdb template              conf.ts      postgresql.conf block, node.conf, pg_hba.conf
//   node.ts        one node (pg_ctl, queries, psql)     standby.ts   createStandby (pg_basebackup)
//   cluster.ts     createCluster, destroy, kept dirs    reaper.ts    reapStaleClusters (dead owners)
//   vitest.ts      useCluster (beforeAll/afterAll)

import { heldPorts, lockPath } from './pg-cluster/ports';
import { emergencyCleanup, liveDataDirs } from './pg-cluster/safety-net';

export type {
  AuthMethod,
  ClusterHandle,
  CreateClusterOptions,
  CreateStandbyOptions,
  PgCluster,
  PgNode,
  PgUser,
  RunResult,
  StopMode,
} from './pg-cluster/types';
export { PG_BIN, clusterRoot, isPidAlive, runAsPostgres } from './pg-cluster/proc';
export { freePort, releasePort } from './pg-cluster/ports';
export { ensureTemplate } from './pg-cluster/template';
export { createStandby } from './pg-cluster/standby';
export { createCluster } from './pg-cluster/cluster';
export { reapStaleClusters } from './pg-cluster/reaper';
export { useCluster } from './pg-cluster/vitest';

/** Exposed for the helper's own tests. */
export const _internal = { liveDataDirs, heldPorts, lockPath, emergencyCleanup };
