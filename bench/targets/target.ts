// What every benchmark target (a PostgreSQL server reached directly, or a proxy in front of it) provides.

import type { PgCluster } from '../../tests/helpers/pg-cluster';

export type TargetId =
  | 'direct'
  | 'pgbouncer-session'
  | 'pgbouncer-transaction'
  | 'pgpool-sr'
  | 'pgpool-raw'
  | 'pgwarden-raw'
  | 'pgwarden-sr'
  // Scenario targets (bench/scenarios/), not in the matrix:
  | 'pgpool-native'
  | 'pgwarden-native'
  | 'pgwarden-sr-dashboard';

export const ALL_TARGETS: TargetId[] = [
  'direct',
  'pgbouncer-session',
  'pgbouncer-transaction',
  'pgpool-sr',
  'pgpool-raw',
  'pgwarden-raw',
  'pgwarden-sr',
];

export interface Target {
  id: TargetId;
  /** Human label with the version, e.g. "PgBouncer 1.18.0 (session)". */
  label: string;
  host: string;
  port: number;
  /** Root pids of the proxy whose process trees are sampled for memory; empty for direct. */
  pids(): number[];
  /** Process names left out of the memory sum (tsx's esbuild service when pgwarden runs from source). */
  memExclude: string[];
  /** Why a case cannot run on this target (null = it can). */
  unsupported(c: { mode: string }): string | null;
  /** Non-null once the proxy died: later cases are reported as errors with this reason. */
  failure(): string | null;
  stop(): Promise<void>;
}

export interface TargetContext {
  cluster: PgCluster;
  /** Per-run temp dir (owned by postgres), removed at the end. */
  workDir: string;
  /** Ports handed out to this target (below the ephemeral range, reserved across processes). */
  port(): Promise<number>;
  /** pgpool num_init_children / pool sizes: at least the largest client count plus headroom. */
  maxClients: number;
}
