// Issue #6: native replication mode. Three independent PostgreSQL nodes (no PostgreSQL replication), each
// initialised identically with `pgbench -i` run directly on it (pgbench's generated data is deterministic); then TPC-B
// at 8 clients through pgwarden and through pgpool-II, both with backend_clustering_mode = 'native_replication' from
// the same generated pgpool.conf. After every run the three nodes are compared (balances, history), so a proxy that
// does not really write everywhere, or lets the nodes drift, shows up next to its TPS.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { createCluster, type PgCluster, type PgNode } from '../../tests/helpers/pg-cluster';
import { HEADLINE } from '../matrix';
import { BENCH_DB } from '../pgbench';
import { startPgpool } from '../targets/pgpool';
import { startPgwarden } from '../targets/pgwarden';
import type { TargetContext } from '../targets/target';
import { ratio, type ScenarioResult, type ScenarioRow } from './model';
import { runInterleaved, tryStart, type Contender, type ScenarioEnv } from './runner';

const exec = promisify(execFile);

const CHECKSUM = `SELECT
  (SELECT count(*) || '/' || sum(abalance) || '/' || sum(abalance::bigint * aid) FROM pgbench_accounts) AS accounts,
  (SELECT md5(string_agg(bid || ':' || bbalance, ',' ORDER BY bid)) FROM pgbench_branches) AS branches,
  (SELECT md5(string_agg(tid || ':' || tbalance, ',' ORDER BY tid)) FROM pgbench_tellers) AS tellers,
  (SELECT count(*) || '/' || coalesce(md5(string_agg(tid || ':' || bid || ':' || aid || ':' || delta, ','
     ORDER BY tid, bid, aid, delta)), '') FROM pgbench_history) AS history,
  (SELECT coalesce(md5(string_agg(mtime::text, ',' ORDER BY mtime)), '') FROM pgbench_history) AS "history.mtime"`;

/** Names of the checksums in which some node differs from node 0 (empty: identical). */
export async function nodeDifferences(nodes: PgNode[]): Promise<string[]> {
  const sums = await Promise.all(
    nodes.map(async (n) => (await n.query<Record<string, string>>(CHECKSUM, [], BENCH_DB))[0] ?? {}),
  );
  const keys = Object.keys(sums[0] ?? {});
  return keys.filter((k) => sums.some((s) => s[k] !== sums[0]![k]));
}

async function initNodes(cluster: PgCluster, scale: number, env: ScenarioEnv): Promise<void> {
  for (const n of cluster.nodes) {
    env.log(`native: pgbench -i -s ${scale} directly on ${n.name} (port ${n.port})`);
    await n.query(`CREATE DATABASE ${BENCH_DB}`);
    await exec(
      'pgbench',
      ['-i', '-q', '-s', String(scale), '-h', n.host, '-p', String(n.port), '-U', 'postgres', BENCH_DB],
      {
        timeout: 300_000,
      },
    );
  }
}

export async function nativeScenario(env: ScenarioEnv): Promise<ScenarioResult> {
  const t0 = Date.now();
  env.log('native: starting 3 independent PostgreSQL 15 nodes');
  const cluster = await createCluster({
    mode: 'independent',
    nodes: 3,
    extraConf: { max_connections: '200', log_min_messages: 'warning' },
  });
  env.adoptCluster(cluster);
  await initNodes(cluster, env.scale, env);
  const notes: string[] = [];
  const initial = await nodeDifferences(cluster.nodes);
  notes.push(
    initial.length
      ? `the nodes differed right after pgbench -i (${initial.join(', ')}): comparison not meaningful`
      : `the 3 nodes were identical after pgbench -i -s ${env.scale} (run directly on each node)`,
  );
  const ctx: TargetContext = { ...env.ctx, cluster };
  const contenders: (Contender | ScenarioRow)[] = [];
  for (const [id, start] of [
    ['pgwarden-native', () => startPgwarden(ctx, 'native_replication', env.launch)],
    ['pgpool-native', () => startPgpool(ctx, 'native_replication')],
  ] as const) {
    const t = await tryStart(env, id, start);
    if ('rounds' in t) contenders.push(t);
    else {
      env.adopt(t);
      contenders.push({ id, label: t.label, target: t });
    }
  }
  let equalBefore = true;
  const reset = async (): Promise<void> => {
    for (const n of cluster.nodes) {
      for (const sql of ['VACUUM pgbench_branches', 'VACUUM pgbench_tellers', 'TRUNCATE pgbench_history']) {
        await n.query(sql, [], BENCH_DB);
      }
    }
    equalBefore = (await nodeDifferences(cluster.nodes)).length === 0;
  };
  const check = async (): Promise<string | null> => {
    const diff = await nodeDifferences(cluster.nodes);
    if (!diff.length) return null;
    return equalBefore
      ? `nodes DIVERGED during a run of this contender: ${diff.join(', ')}`
      : `nodes already differed before a run: ${diff.join(', ')}`;
  };
  const rows = await runInterleaved(env, HEADLINE.tpcb8, contenders, reset, check);
  const clean = rows.filter((r) => r.rounds.length && !(r.note ?? '').includes('DIVERGED')).map((r) => r.id);
  if (clean.length) notes.push(`nodes identical after every run of: ${clean.join(', ')}`);
  return {
    id: 'native',
    title: 'native replication, 3 independent nodes (issue #6)',
    workload: 'TPC-B simple, 8 clients',
    seconds: env.seconds,
    rounds: env.rounds,
    rows,
    ratios: [
      ratio(rows, 'pgwarden vs pgpool-II (native)', 'pgwarden-native', 'pgpool-native', 1.3, '>= 1.3'),
    ],
    notes,
    wallSeconds: (Date.now() - t0) / 1000,
  };
}
