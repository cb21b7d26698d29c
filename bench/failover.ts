// Failover speed, pgwarden vs pgpool-II 4.3 side by side in ONE run: kill -> first successful write.
//
//   npx tsx bench/failover.ts [--rounds 3] [--targets pgwarden,pgpool] [--clients 4] [--out bench/results/x]
//
// Each round: a fresh 2-node streaming cluster (primary + standby, pgbench -i -s 1), the proxy started with ONE
// pgpool.conf both read (health_check_period 1 s, failover_on_backend_error on, scripts/examples/failover.sh, which
// promotes with `pg_ctl -w promote`), pgbench TPC-B writing through the proxy, then `pg_ctl stop -m immediate` on the
// primary. A probe writer (its own connection, reconnecting every 10 ms after an error) records the first INSERT that
// was sent after pg_ctl returned (the old primary is gone then) and succeeded: kill -> first write. The breakdown comes
// from the proxy's own log (degeneration start, failover_command start, failover done) and failover.sh's log
// (promote start/end, millisecond timestamps). Results: bench/results/failover-<date>.{json,md}.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import { createCluster, freePort, releasePort, type PgCluster } from '../tests/helpers/pg-cluster';
import { BENCH_DB, runPgbench, type PgbenchRun } from './pgbench';
import { chownPg, spawnDaemon, tail, type Daemon } from './proc';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PGPOOL_BIN = process.env.PGPOOL_BIN ?? '/usr/sbin/pgpool';
const FAILOVER_SH = path.join(ROOT, 'scripts/examples/failover.sh');

type TargetName = 'pgwarden' | 'pgpool';

export interface RoundResult {
  target: TargetName;
  round: number;
  /** kill (pg_ctl stop -m immediate started) -> first successful write through the proxy, ms. */
  killToWriteMs: number | null;
  /** pg_ctl stop -m immediate duration, ms. */
  stopMs: number;
  /** Offsets from the kill, ms, from the proxy's log and failover.sh's log (null when not found). */
  degenerationMs: number | null;
  commandStartMs: number | null;
  promoteStartMs: number | null;
  promoteEndMs: number | null;
  /** The proxy sends new sessions to the new primary (pgwarden: promotion seen by its watch, or primary search). */
  primaryMs: number | null;
  failoverDoneMs: number | null;
  /** Writes of the probe writer that failed between the kill and the first success, and the distinct errors. */
  failedWrites: number;
  errors: string[];
  pgbench: { exitCode: number; tps: number | null; error: string | null };
  error: string | null;
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const log = (m: string): void => console.error(`[failover-bench ${new Date().toISOString()}] ${m}`);
const q = (v: string): string => `'${v.replace(/'/g, "''")}'`;

function writeConf(dir: string, cluster: PgCluster, port: number, pcpPort: number): string {
  const run = path.join(dir, 'run');
  const logDir = path.join(dir, 'log');
  for (const d of [dir, run, logDir]) mkdirSync(d, { recursive: true });
  const conf: [string, string | number][] = [
    ['backend_clustering_mode', q('streaming_replication')],
    ['listen_addresses', q('127.0.0.1')],
    ['port', port],
    ['socket_dir', q(run)],
    ['pcp_listen_addresses', q('127.0.0.1')],
    ['pcp_port', pcpPort],
    ['pcp_socket_dir', q(run)],
    ['wd_ipc_socket_dir', q(run)],
    ['pid_file_name', q(path.join(run, 'pgpool.pid'))],
    ['logdir', q(logDir)],
    ['log_destination', q('stderr')],
    ['logging_collector', 'off'],
    ['log_line_prefix', q('%m: %a pid %p: ')],
    ['log_min_messages', q('log')],
    ...cluster.nodes.flatMap((n, i): [string, string | number][] => [
      [`backend_hostname${i}`, q(n.host)],
      [`backend_port${i}`, n.port],
      [`backend_weight${i}`, 1],
      [`backend_data_directory${i}`, q(n.dataDir)],
      [`backend_flag${i}`, q('ALLOW_TO_FAILOVER')],
      [`backend_application_name${i}`, q(n.name)],
    ]),
    ['enable_pool_hba', 'off'],
    ['pool_passwd', q('')],
    ['num_init_children', 32],
    ['max_pool', 1],
    ['connection_cache', 'on'],
    ['load_balance_mode', 'on'],
    ['health_check_period', 1],
    ['health_check_timeout', 2],
    ['health_check_user', q('postgres')],
    ['health_check_password', q('')],
    ['health_check_max_retries', 0],
    ['connect_timeout', 1000],
    ['sr_check_period', 1],
    ['sr_check_user', q('postgres')],
    ['sr_check_password', q('')],
    ['failover_on_backend_error', 'on'],
    ['failover_on_backend_shutdown', 'on'],
    ['search_primary_node_timeout', 30],
    ['failover_command', q(`${FAILOVER_SH} %d %h %p %D %m %H %M %P %r %R %N %S`)],
    ['use_watchdog', 'off'],
    ['memory_cache_enabled', 'off'],
  ];
  const file = path.join(dir, 'pgpool.conf');
  writeFileSync(file, conf.map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'pcp.conf'),
    `postgres:${createHash('md5').update('postgres').digest('hex')}\n`,
  );
  writeFileSync(path.join(dir, 'pool_hba.conf'), 'host all all 127.0.0.1/32 trust\n');
  chownPg(dir, run, logDir, file, path.join(dir, 'pcp.conf'), path.join(dir, 'pool_hba.conf'));
  return file;
}

let bundle: string | null = null;
function pgwardenBundle(): string {
  if (bundle) return path.join(bundle, 'cli.js');
  const out = path.join(ROOT, 'node_modules/.cache/pgwarden-failover-bench', String(process.pid));
  const r = spawnSync(process.execPath, ['scripts/build-server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, PGWARDEN_BUILD_OUTDIR: out },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0 || !existsSync(path.join(out, 'cli.js')))
    throw new Error(`bundling failed: ${r.stderr}`);
  bundle = out;
  return pgwardenBundle();
}

async function ready(port: number, daemon: Daemon, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!daemon.isAlive()) throw new Error(`${daemon.name} exited: ${tail(daemon.logFile, 8)}`);
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: BENCH_DB });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT count(*) FROM pgbench_branches');
      await c.end();
      return;
    } catch (e) {
      last = (e as Error).message;
      await c.end().catch(() => undefined);
    }
    await sleep(200);
  }
  throw new Error(`${daemon.name} not ready on ${port}: ${last}`);
}

function startTarget(target: TargetName, conf: string, dir: string): Daemon {
  const logFile = path.join(dir, 'log', `${target}.log`);
  if (target === 'pgpool') {
    const args = [
      '-n',
      '-D',
      '-f',
      conf,
      '-F',
      path.join(dir, 'pcp.conf'),
      '-a',
      path.join(dir, 'pool_hba.conf'),
    ];
    return spawnDaemon('pgpool', PGPOOL_BIN, args, { logFile, asPostgres: true, cwd: dir });
  }
  const args = [pgwardenBundle(), '-n', '-D', '-f', conf, '-F', path.join(dir, 'pcp.conf'), '--no-dashboard'];
  return spawnDaemon('pgwarden', process.execPath, args, {
    logFile,
    asPostgres: false,
    cwd: ROOT,
    env: { NODE_ENV: 'production' },
  });
}

/** Millisecond timestamps of the first log line matching `re` at or after `since` (pgwarden and pgpool `%m`). */
function logTime(file: string, re: RegExp, since: number): number | null {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    if (!re.test(line)) continue;
    const m = /(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,3}))?/.exec(line);
    if (!m) continue;
    // Both write local time in `%m`; the machine runs UTC, pgwarden writes ISO UTC.
    const t = Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? '0').padEnd(3, '0')}Z`);
    if (t >= since - 1000) return t;
  }
  return null;
}

/** The probe writer: one connection, reconnects 10 ms after an error; INSERTs back to back. */
function probeWriter(port: number): {
  markStopped(t: number): void;
  firstWrite: Promise<number | null>;
  stop(): Promise<{ failed: number; errors: string[] }>;
} {
  let stopped = 0;
  let done = false;
  let failed = 0;
  const errors = new Set<string>();
  let resolveFirst: (t: number | null) => void = () => undefined;
  const firstWrite = new Promise<number | null>((r) => (resolveFirst = r));
  const loop = (async () => {
    let c: pg.Client | null = null;
    while (!done) {
      const sent = Date.now();
      try {
        if (!c) {
          c = new pg.Client({
            host: '127.0.0.1',
            port,
            user: 'postgres',
            database: BENCH_DB,
            connectionTimeoutMillis: 5000,
          });
          c.on('error', () => undefined);
          await c.connect();
        }
        await c.query('INSERT INTO failover_probe VALUES (now())');
        if (stopped && sent >= stopped) resolveFirst(Date.now());
      } catch (e) {
        if (stopped) {
          failed++;
          errors.add((e as Error).message.replace(/\d+/g, 'N').slice(0, 160));
        }
        void c?.end().catch(() => undefined);
        c = null;
        await sleep(10);
      }
      await sleep(2);
    }
    await c?.end().catch(() => undefined);
  })();
  return {
    markStopped: (t) => (stopped = t),
    firstWrite,
    async stop() {
      done = true;
      resolveFirst(null);
      await loop;
      return { failed, errors: [...errors] };
    },
  };
}

async function round(target: TargetName, n: number, clients: number): Promise<RoundResult> {
  const ports: number[] = [];
  const port = async (): Promise<number> => {
    const p = await freePort();
    ports.push(p);
    return p;
  };
  const res: RoundResult = {
    target,
    round: n,
    killToWriteMs: null,
    stopMs: 0,
    degenerationMs: null,
    commandStartMs: null,
    promoteStartMs: null,
    promoteEndMs: null,
    primaryMs: null,
    failoverDoneMs: null,
    failedWrites: 0,
    errors: [],
    pgbench: { exitCode: -1, tps: null, error: null },
    error: null,
  };
  let cluster: PgCluster | null = null;
  let daemon: Daemon | null = null;
  const dir = mkdtempSync(path.join(os.tmpdir(), `pgw-fobench-${target}-`));
  chownPg(dir);
  try {
    cluster = await createCluster({
      mode: 'streaming',
      nodes: 2,
      extraConf: { log_min_messages: 'warning' },
    });
    const primary = cluster.primary;
    await primary.query(`CREATE DATABASE ${BENCH_DB}`);
    const init = spawnSync(
      'pgbench',
      ['-i', '-q', '-s', '1', '-h', primary.host, '-p', String(primary.port), '-U', 'postgres', BENCH_DB],
      { encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
    await primary.query('CREATE TABLE failover_probe (t timestamptz)', [], BENCH_DB);
    const proxyPort = await port();
    const conf = writeConf(path.join(dir, target), cluster, proxyPort, await port());
    daemon = startTarget(target, conf, path.join(dir, target));
    await ready(proxyPort, daemon, 60_000);
    const writer = probeWriter(proxyPort);
    const bench = runPgbench(
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(proxyPort),
        '-U',
        'postgres',
        '-n',
        '-T',
        '8',
        '-c',
        String(clients),
        '-j',
        '2',
        BENCH_DB,
      ],
      30_000,
    );
    await sleep(2500);
    const tKill = Date.now();
    await cluster.nodes[0]!.stop('immediate');
    const tStopped = Date.now();
    writer.markStopped(tStopped);
    res.stopMs = tStopped - tKill;
    const first = await Promise.race([writer.firstWrite, sleep(30_000).then(() => null)]);
    const w = await writer.stop();
    const b: PgbenchRun = await bench;
    res.pgbench = { exitCode: b.exitCode, tps: b.tps, error: b.error };
    await sleep(1500); // the failover finishes and is logged
    res.killToWriteMs = first === null ? null : first - tKill;
    res.failedWrites = w.failed;
    res.errors = w.errors;
    const rel = (t: number | null): number | null => (t === null ? null : t - tKill);
    const plog = daemon.logFile;
    const flog = path.join(path.dirname(cluster.nodes[0]!.dataDir), 'failover.log');
    res.degenerationMs = rel(logTime(plog, /starting degeneration/, tKill));
    res.commandStartMs = rel(logTime(plog, /execute command/, tKill));
    res.failoverDoneMs = rel(logTime(plog, /failover done/, tKill));
    res.primaryMs = rel(
      logTime(
        plog,
        /answers as a primary while failover_command runs|find_primary_node: primary node is 1/,
        tKill,
      ),
    );
    res.promoteStartMs = rel(logTime(flog, /failover\.sh: promoting node/, tKill));
    res.promoteEndMs = rel(logTime(flog, /failover\.sh: promoted node/, tKill));
    if (first === null) res.error = `no successful write within 30 s; log tail: ${tail(plog, 5)}`;
  } catch (e) {
    res.error = (e as Error).message;
  } finally {
    await daemon?.stop(target === 'pgpool' ? 'SIGINT' : 'SIGTERM', 10_000);
    await cluster?.destroy();
    for (const p of ports) releasePort(p);
    if (process.env.FAILOVER_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
  return res;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function report(results: RoundResult[], meta: Record<string, string | number>): string {
  const f = (v: number | null): string => (v === null ? '—' : String(v));
  const lines = [
    '# Failover speed: kill of the primary -> first successful write',
    '',
    ...Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`),
    '',
    'Offsets in ms from the start of `pg_ctl stop -m immediate` on the primary.',
    '',
    '| target | round | pg_ctl stop | degeneration | failover_command | promote start | promote end | primary usable | failover done | first write | failed probe writes | pgbench |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.target} | ${r.round} | ${r.stopMs} | ${f(r.degenerationMs)} | ${f(r.commandStartMs)} | ${f(r.promoteStartMs)} | ${f(r.promoteEndMs)} | ${f(r.primaryMs)} | ${f(r.failoverDoneMs)} | **${f(r.killToWriteMs)}** | ${r.failedWrites} | ${r.error ? `error: ${r.error.slice(0, 80)}` : `exit ${r.pgbench.exitCode}`} |`,
    ),
    '',
    '| target | median kill -> first write (ms) | min | max |',
    '| --- | --- | --- | --- |',
  ];
  for (const t of ['pgwarden', 'pgpool'] as TargetName[]) {
    const xs = results.filter((r) => r.target === t && r.killToWriteMs !== null).map((r) => r.killToWriteMs!);
    if (xs.length) lines.push(`| ${t} | ${f(median(xs))} | ${Math.min(...xs)} | ${Math.max(...xs)} |`);
  }
  const errs = [...new Set(results.flatMap((r) => r.errors.map((e) => `${r.target}: ${e}`)))];
  if (errs.length)
    lines.push(
      '',
      'Probe-writer errors seen between the kill and the first success:',
      '',
      ...errs.map((e) => `- ${e}`),
    );
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '3'));
  const clients = Number(arg('clients', '4'));
  const targets = arg('targets', 'pgwarden,pgpool').split(',') as TargetName[];
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  const out = arg('out', path.join(ROOT, 'bench/results', `failover-${stamp}`));
  const results: RoundResult[] = [];
  for (let i = 1; i <= rounds; i++) {
    for (const t of targets) {
      log(`${t} round ${i}`);
      const r = await round(t, i, clients);
      log(
        `${t} round ${i}: kill -> first write ${r.killToWriteMs ?? '—'} ms (degeneration ${r.degenerationMs ?? '—'}, promote ${r.promoteStartMs ?? '—'}..${r.promoteEndMs ?? '—'}, done ${r.failoverDoneMs ?? '—'})${r.error ? ` ERROR ${r.error}` : ''}`,
      );
      results.push(r);
    }
  }
  const gitRev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).stdout.trim();
  const pgpoolVersion =
    /pgpool-II version ([\d.]+)/.exec(
      (({ stdout, stderr }) => `${stdout}${stderr}`)(
        spawnSync(PGPOOL_BIN, ['--version'], { encoding: 'utf8' }),
      ),
    )?.[1] ?? '?';
  const meta = {
    date: new Date().toISOString(),
    pgwarden: process.env.FAILOVER_BENCH_PGWARDEN ?? `commit ${gitRev} (esbuild bundle)`,
    'pgpool-II': pgpoolVersion,
    settings:
      'health_check_period 1, health_check_timeout 2, health_check_max_retries 0, connect_timeout 1000, failover_on_backend_error on, failover_on_backend_shutdown on, sr_check_period 1, scripts/examples/failover.sh of the pgwarden commit (pg_ctl promote, then pg_control polled every 10 ms; before 863ca2e: pg_ctl -w promote)',
    load: `pgbench TPC-B -c ${clients} -j 2 -T 8 through the proxy, kill after 2.5 s; probe writer on its own connection`,
    machine: `${os.cpus().length} cores, shared`,
  };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(`${out}.json`, JSON.stringify({ meta, results }, null, 2) + '\n');
  const md = report(results, meta);
  writeFileSync(`${out}.md`, md);
  process.stdout.write(md);
  log(`wrote ${out}.json and ${out}.md`);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    if (bundle) rmSync(bundle, { recursive: true, force: true });
  });
