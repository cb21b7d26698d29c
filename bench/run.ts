// `npm run bench`: pgbench through pgwarden, directly, through PgBouncer and through pgpool-II, in one run on loopback.
// Starts a PostgreSQL 15 primary + streaming standby, every peer with generated configs, runs the case matrix
// interleaved across targets (so background noise on a shared machine hits every target alike), prints the table and
// the targets, writes bench/results/<date>-<host>.{json,md}, and stops everything it started on any exit.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createCluster, freePort, releasePort, type PgCluster } from '../tests/helpers/pg-cluster';
import { buildMatrix, caseKey, isHeadline, type MatrixName } from './matrix';
import { BENCH_DB, pgbenchArgs, runPgbench, type BenchCase } from './pgbench';
import { chownPg, startMemSampler } from './proc';
import { median, renderText, writeResults, type CaseResult, type RunMeta, type TargetInfo } from './report';
import { startDirect } from './targets/direct';
import { startPgbouncer } from './targets/pgbouncer';
import { startPgpool } from './targets/pgpool';
import { removePgwardenBundle, startPgwarden, type PgwardenLaunch } from './targets/pgwarden';
import { ALL_TARGETS, type Target, type TargetContext, type TargetId } from './targets/target';
import {
  parseScenarios,
  runScenarios,
  scenarioRuns,
  type DashboardClient,
  type ScenarioResult,
} from './scenarios/index';

const HELP = `usage: npm run bench -- [options]
  --quick            3 s per case, 1 round, 4 cases (smoke test of the harness, ~3 min)
  --full             every workload x query mode x 1/8/32 clients, plus -C (about 1 h with 7 targets)
  --time N           seconds per pgbench case (default 10; --quick 3)
  --rounds N         rounds of each headline case, median reported (default 3; --quick 1)
  --budget MIN       stop starting cases after MIN minutes, report what ran (default 35)
  --targets a,b      subset of: ${ALL_TARGETS.join(',')}
  --scale N          pgbench -i scale (default 10)
  --pgwarden HOW     bundle (default: a private esbuild bundle of the current source), built (the repo's
                     dist/ after npm run build), source (server/cli.ts through tsx)
  --scenarios a,b    after the matrix: routing (issue #3), native (issue #6), dashboard (issue #7), or none
                     (default: all three; --quick: none)
  --no-matrix        skip the matrix: run the scenarios only (their targets start on demand)
  --dashboard-client http|chromium|both   what keeps the dashboard busy in the dashboard scenario (default both)
  --no-write         print only; do not write bench/results/
`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    time: { type: 'string' },
    rounds: { type: 'string' },
    budget: { type: 'string', default: '35' },
    scenarios: { type: 'string' },
    'no-matrix': { type: 'boolean', default: false },
    'dashboard-client': { type: 'string', default: 'both' },
    targets: { type: 'string', default: ALL_TARGETS.join(',') },
    scale: { type: 'string', default: '10' },
    pgwarden: { type: 'string', default: 'bundle' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const matrixName: MatrixName = opt.quick ? 'quick' : opt.full ? 'full' : 'default';
const seconds = Number(opt.time ?? (opt.quick ? 3 : 10));
const rounds = Number(opt.rounds ?? (opt.quick ? 1 : 3));
const scale = Number(opt.scale);
const selected = opt.targets.split(',').map((s) => s.trim()) as TargetId[];
const unknown = selected.filter((t) => !ALL_TARGETS.includes(t));
const launches = ['bundle', 'built', 'source'];
if (!launches.includes(opt.pgwarden)) unknown.push(`--pgwarden ${opt.pgwarden}` as TargetId);
const scenarios = parseScenarios(opt.scenarios ?? (opt.quick ? 'none' : 'routing,native,dashboard'));
unknown.push(...(scenarios.bad.map((b) => `--scenarios ${b}`) as TargetId[]));
const dashboardClient = opt['dashboard-client'] as DashboardClient;
if (!['http', 'chromium', 'both'].includes(dashboardClient))
  unknown.push(`--dashboard-client ${dashboardClient}` as TargetId);
if (unknown.length || ![seconds, rounds, scale].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write(`bad options ${unknown.join(',')}\n${HELP}`);
  process.exit(2);
}
const started = Date.now();
const deadline = started + Number(opt.budget) * 60_000;
const log = (msg: string): void =>
  void process.stderr.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${msg}\n`);

// ---------------------------------------------------------------------------------------------------------------
// Cleanup on every path: normal end, failure, Ctrl-C / SIGTERM, budget watchdog.

const abort = new AbortController();
const running: Target[] = [];
const ports: number[] = [];
let cluster: PgCluster | undefined;
/** Clusters created by scenarios (native replication's independent nodes). */
const extraClusters: PgCluster[] = [];
let workDir: string | undefined;

function interrupt(why: string): void {
  if (abort.signal.aborted) return;
  log(`${why}: stopping pgbench and cleaning up`);
  abort.abort();
}
// The cluster helper also traps these signals (it SIGQUITs the postmasters); ours keeps the process alive until
// the proxies are stopped and the temp dir is gone.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => interrupt(sig));
setTimeout(() => interrupt('hard time limit (budget + 5 min) reached'), deadline - started + 300_000).unref();

async function cleanup(): Promise<void> {
  await Promise.allSettled(running.map((t) => t.stop()));
  await cluster?.destroy().catch((e: unknown) => log(`cluster destroy: ${String(e)}`));
  for (const c of extraClusters)
    await c.destroy().catch((e: unknown) => log(`cluster destroy: ${String(e)}`));
  ports.forEach(releasePort);
  removePgwardenBundle();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------------

async function setup(): Promise<TargetContext> {
  log('starting PostgreSQL 15 primary + streaming standby');
  cluster = await createCluster({
    mode: 'streaming',
    nodes: 2,
    // Every proxy keeps its own server connections open at once (up to ~6 x 40) plus direct clients.
    extraConf: { max_connections: '400', log_min_messages: 'warning' },
  });
  const primary = cluster.primary;
  log(`pgbench -i -s ${scale} on the primary (port ${primary.port})`);
  await primary.query(`CREATE DATABASE ${BENCH_DB}`);
  const conn = ['-h', primary.host, '-p', String(primary.port), '-U', 'postgres', BENCH_DB];
  const init = spawnSync('pgbench', ['-i', '-q', '-s', String(scale), ...conn], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  await waitReplay();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'pgwarden-bench-'));
  chownPg(workDir);
  return {
    cluster,
    workDir,
    maxClients: 40,
    port: async () => {
      const p = await freePort();
      ports.push(p);
      return p;
    },
  };
}

/** Until the standby has replayed everything the primary wrote (reads balanced to it see the same data). */
async function waitReplay(timeoutMs = 30_000): Promise<void> {
  if (!cluster) return;
  const [row] = await cluster.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const until = Date.now() + timeoutMs;
  for (const standby of cluster.nodes.filter((n) => n !== cluster?.primary)) {
    for (;;) {
      const [r] = await standby.query<{ ok: boolean }>(
        'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok',
        [row?.lsn],
      );
      if (r?.ok || Date.now() > until) break;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

function starter(ctx: TargetContext, id: TargetId): Promise<Target> {
  const launch = opt.pgwarden as PgwardenLaunch;
  const starters: Partial<Record<TargetId, () => Promise<Target>>> = {
    direct: () => startDirect(ctx),
    'pgbouncer-session': () => startPgbouncer(ctx, 'session'),
    'pgbouncer-transaction': () => startPgbouncer(ctx, 'transaction'),
    'pgpool-sr': () => startPgpool(ctx, 'streaming_replication'),
    'pgpool-raw': () => startPgpool(ctx, 'raw'),
    'pgwarden-raw': () => startPgwarden(ctx, 'raw', launch),
    'pgwarden-sr': () => startPgwarden(ctx, 'streaming_replication', launch),
  };
  const start = starters[id];
  if (!start) return Promise.reject(new Error(`no starter for ${id}`));
  return start();
}

/** A running target of the main cluster, started now if the matrix did not start it. */
const failedStarts = new Map<TargetId, Error>();
async function targetFor(ctx: TargetContext, id: TargetId): Promise<Target> {
  const t = running.find((x) => x.id === id);
  if (t) return t;
  const failed = failedStarts.get(id);
  if (failed) throw failed;
  try {
    const started = await starter(ctx, id);
    running.push(started);
    return started;
  } catch (e) {
    failedStarts.set(id, e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
}

async function startTargets(ctx: TargetContext): Promise<TargetInfo[]> {
  const infos: TargetInfo[] = [];
  for (const id of ALL_TARGETS.filter((t) => selected.includes(t))) {
    if (abort.signal.aborted) break;
    log(`starting ${id}`);
    try {
      const t = await starter(ctx, id);
      running.push(t);
      infos.push({ id, label: t.label, available: true, reason: null });
    } catch (e) {
      const full = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
      const reason = full.length > 500 ? `${full.slice(0, 200)} ... ${full.slice(-300)}` : full;
      log(`${id} not available: ${reason}`);
      failedStarts.set(id, e instanceof Error ? e : new Error(String(e)));
      infos.push({ id, label: id, available: false, reason });
    }
  }
  return infos;
}

/** pgbench vacuums and truncates before each run; we do it directly on the primary instead (pgbench runs with -n). */
async function resetTables(): Promise<void> {
  for (const sql of ['VACUUM pgbench_branches', 'VACUUM pgbench_tellers', 'TRUNCATE pgbench_history']) {
    await cluster!.primary.query(sql, [], BENCH_DB);
  }
  await waitReplay(10_000);
}

async function runCase(t: Target, c: BenchCase, result: CaseResult): Promise<void> {
  const failure = t.failure();
  if (failure) {
    result.rounds.push({ tps: null, latencyMs: null, failed: null, error: failure });
    return;
  }
  await resetTables();
  const sampler = t.pids().length ? startMemSampler(() => t.pids(), t.memExclude) : null;
  const args = pgbenchArgs(c, { host: t.host, port: t.port, seconds });
  const r = await runPgbench(args, seconds * 1000 + 60_000, abort.signal);
  const mem = sampler?.stop() ?? null;
  result.rounds.push({
    tps: r.tps,
    latencyMs: r.latencyMs,
    failed: r.failed,
    error: r.error,
    processed: r.processed,
    proxyCpuSeconds: mem?.cpuSeconds ?? null,
  });
  if (mem) {
    result.rssBytes = Math.max(result.rssBytes ?? 0, mem.rss);
    result.pssBytes = mem.pss === null ? null : Math.max(result.pssBytes ?? 0, mem.pss);
    result.processes = Math.max(result.processes ?? 0, mem.processes);
  }
  const tail = r.error ? `  ERROR ${r.error}` : '';
  log(`${t.id} ${caseKey(c)}: ${r.tps?.toFixed(0) ?? '-'} TPS, ${r.latencyMs ?? '-'} ms${tail}`);
}

function finish(r: CaseResult): void {
  const ok = r.rounds.filter((x) => x.tps !== null && x.error === null);
  if (r.status !== 'ok') return;
  if (!ok.length) {
    r.status = r.rounds.length ? 'error' : 'skipped';
    r.note = r.rounds.find((x) => x.error)?.error ?? 'budget exhausted before this case';
    return;
  }
  r.tps = median(ok.map((x) => x.tps!));
  r.latencyMs = median(ok.map((x) => x.latencyMs ?? 0));
  const perTx = ok.filter((x) => x.proxyCpuSeconds != null && x.processed);
  r.cpuUsPerTx = perTx.length ? median(perTx.map((x) => (x.proxyCpuSeconds! * 1e6) / x.processed!)) : null;
  r.failed = r.rounds.reduce((s, x) => s + (x.failed ?? 0), 0);
  if (ok.length < r.rounds.length)
    r.note = `${r.rounds.length - ok.length} round(s) failed: ${r.rounds.find((x) => x.error)?.error}`;
}

/** The code measured: HEAD, and whether server/ had uncommitted changes (others commit while we run). */
function gitCommit(): string {
  const git = (...args: string[]): string =>
    spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--', 'server') ? `${head} + uncommitted changes in server/` : head;
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const loadAvgAtStart = os.loadavg();
  const commit = gitCommit(); // before the bundle is built from the same tree
  const ctx = await setup();
  const targets = opt['no-matrix'] ? [] : await startTargets(ctx);
  const matrix = opt['no-matrix'] ? [] : buildMatrix(matrixName);
  const results: CaseResult[] = [];
  for (const c of matrix) {
    for (const t of targets.filter((x) => x.available)) {
      const target = running.find((x) => x.id === t.id)!;
      const na = target.unsupported(c);
      results.push({
        ...c,
        target: t.id,
        status: na ? 'n/a' : 'ok',
        tps: null,
        latencyMs: null,
        failed: null,
        rounds: [],
        cpuUsPerTx: null,
        rssBytes: null,
        pssBytes: null,
        processes: null,
        note: na,
      });
    }
  }
  const runs = matrix.flatMap((c) => Array.from({ length: isHeadline(c) ? rounds : 1 }, () => c));
  const perRun = seconds + 2;
  // Scenario setup: ~30 s for the native cluster and pgbench -i on 3 nodes, ~30 s for Next and chromium.
  const scenarioSecs = scenarios.ids.reduce(
    (s, id) => s + scenarioRuns(id, rounds, dashboardClient) * perRun + (id === 'routing' ? 0 : 30),
    0,
  );
  log(
    `${results.length} cases, ${runs.length * running.length} pgbench runs, scenarios ${scenarios.ids.join(',') || 'none'}; ` +
      `~${Math.ceil((runs.length * running.length * perRun + scenarioSecs) / 60)} min; budget ${opt.budget} min`,
  );
  // Case-major, target-minor: the rounds of one case run back to back on every target.
  for (const c of runs) {
    for (const r of results.filter((x) => caseKey(x) === caseKey(c) && x.status === 'ok')) {
      if (abort.signal.aborted) break;
      if (Date.now() + perRun * 1000 > deadline) continue; // reported as skipped
      await runCase(
        running.find((t) => t.id === r.target)!,
        c,
        r,
      );
    }
  }
  results.forEach(finish);
  const scenarioResults: ScenarioResult[] = await runScenarios(
    {
      ctx,
      launch: opt.pgwarden as PgwardenLaunch,
      seconds,
      rounds,
      scale,
      signal: abort.signal,
      deadline,
      log,
      target: (id) => targetFor(ctx, id),
      adopt: (t) => void running.push(t),
      adoptCluster: (c) => void extraClusters.push(c),
      resetMain: resetTables,
    },
    scenarios.ids,
    dashboardClient,
  );
  const meta: RunMeta = {
    startedAt,
    finishedAt: new Date().toISOString(),
    host: os.hostname(),
    cpus: os.cpus().length,
    loadAvgAtStart,
    seconds,
    rounds,
    matrix: opt['no-matrix'] ? 'no' : matrixName,
    scale,
    postgres: spawnSync('pgbench', ['--version'], { encoding: 'utf8' }).stdout.trim(),
    commit,
    notes: [
      `Load generator (pgbench -j 2), proxies and both PostgreSQL servers share ${os.cpus().length} CPUs: a proxy that burns less CPU leaves more to the others, so ratios measure efficiency under contention, not peak throughput.`,
      ...(abort.signal.aborted ? ['Run interrupted: partial results.'] : []),
    ],
  };
  process.stdout.write(`\n${renderText(meta, results, targets, scenarioResults)}\n`);
  if (!opt['no-write'] && !abort.signal.aborted) {
    const files = writeResults(path.join(ROOT, 'bench/results'), meta, results, targets, scenarioResults);
    log(`wrote ${path.relative(ROOT, files.json)} and ${path.relative(ROOT, files.md)}`);
  }
  return abort.signal.aborted ? 130 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
} finally {
  log('cleaning up');
  await cleanup();
}
process.exit(code);
