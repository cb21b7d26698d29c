// CPU microseconds per transaction of a proxy process: (utime + stime of its process tree during a pgbench run) /
// (transactions pgbench completed). On a shared 2-core machine TPS swings with everyone else's load; CPU per
// transaction barely does, so this is the figure to compare proxies and relay changes by.
//
//   node --import tsx bench/cpu-per-tx.ts [--targets pgwarden-sr,pipe,pgbouncer-session] [--seconds 10]
//        [--clients 32] [--mode simple] [--rounds 1] [--rate TPS] [--pgwarden bundle|built|source]
//
// Targets: pgwarden-sr, pgwarden-raw (the CLI with --no-dashboard), cli:<path to a built cli.js> (streaming), pipe (a plain one-thread Node TCP pipe:
// net.Socket.pipe both ways, the floor of a Node relay built on streams), pgbouncer-session, direct (no proxy: TPS only).
// BENCH_PGWARDEN_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles pgwarden.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { createCluster, freePort, releasePort, type PgCluster } from '../tests/helpers/pg-cluster';
import { BENCH_DB, pgbenchArgs, runPgbench, type QueryMode } from './pgbench';
import { chownPg, spawnDaemon, startMemSampler, waitReady } from './proc';
import { writePoolConf } from './targets/pgpool-conf';
import { startDirect } from './targets/direct';
import { startPgbouncer } from './targets/pgbouncer';
import { removePgwardenBundle, startPgwarden, type PgwardenLaunch } from './targets/pgwarden';
import type { Target, TargetContext } from './targets/target';

const { values: opt } = parseArgs({
  options: {
    targets: { type: 'string', default: 'pgwarden-sr,pipe,pgbouncer-session' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '32' },
    mode: { type: 'string', default: 'simple' },
    rounds: { type: 'string', default: '1' },
    /** pgbench -R: the same transaction rate for every target (per-transaction CPU grows when TPS drops). */
    rate: { type: 'string', default: '' },
    pgwarden: { type: 'string', default: 'bundle' },
  },
});

/** A plain Node TCP relay: one process, one thread, streams piped both ways (what "just forwarding" costs). */
const PIPE_SOURCE = `
const net = require('node:net');
const [listenPort, host, port] = process.argv.slice(1);
net.createServer((c) => {
  c.setNoDelay(true);
  const s = net.connect({ host, port: Number(port) });
  s.setNoDelay(true);
  c.pipe(s); s.pipe(c);
  c.on('error', () => s.destroy()); s.on('error', () => c.destroy());
}).listen(Number(listenPort), '127.0.0.1');
`;

async function startPipe(ctx: TargetContext): Promise<Target> {
  const port = await ctx.port();
  const p = ctx.cluster.primary;
  const child = spawn(process.execPath, ['-e', PIPE_SOURCE, String(port), p.host, String(p.port)], {
    stdio: 'ignore',
  });
  await waitReady(port, 10_000);
  return {
    id: 'direct',
    label: `Node ${process.version} plain pipe`,
    host: '127.0.0.1',
    port,
    pids: () => (child.pid ? [child.pid] : []),
    memExclude: [],
    unsupported: () => null,
    failure: () => (child.exitCode === null ? null : 'pipe exited'),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    },
  };
}

/** A given pgwarden CLI file (e.g. a bundle of an older commit) in streaming mode, for A/B comparisons. */
async function startCli(ctx: TargetContext, cli: string, n: number): Promise<Target> {
  const port = await ctx.port();
  const files = writePoolConf({
    dir: path.join(ctx.workDir, `cli-${n}`),
    mode: 'streaming_replication',
    cluster: ctx.cluster,
    port,
    pcpPort: await ctx.port(),
    numInitChildren: ctx.maxClients,
  });
  const nodeArgs = (process.env.BENCH_PGWARDEN_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const daemon = spawnDaemon(
    `cli-${n}`,
    process.execPath,
    [...nodeArgs, cli, '-n', '-f', files.pgpoolConf, '-F', files.pcpConf, '--no-dashboard'],
    { logFile: path.join(files.logDir, 'pgwarden.log'), asPostgres: false, cwd: process.cwd() },
  );
  await waitReady(port, 45_000, daemon);
  return {
    id: 'pgwarden-sr',
    label: cli,
    host: '127.0.0.1',
    port,
    pids: () => [daemon.pid],
    memExclude: [],
    unsupported: () => null,
    failure: () => (daemon.isAlive() ? null : 'exited'),
    stop: () => daemon.stop('SIGTERM', 10_000),
  };
}

async function main(): Promise<void> {
  const seconds = Number(opt.seconds);
  const clients = Number(opt.clients);
  const ports: number[] = [];
  let cluster: PgCluster | null = null;
  let workDir = '';
  const running: Target[] = [];
  try {
    cluster = await createCluster({
      mode: 'streaming',
      nodes: 1,
      extraConf: { max_connections: '200', log_min_messages: 'warning' },
    });
    await cluster.primary.query(`CREATE DATABASE ${BENCH_DB}`);
    const conn = ['-h', cluster.primary.host, '-p', String(cluster.primary.port), '-U', 'postgres', BENCH_DB];
    const init = spawnSync('pgbench', ['-i', '-q', '-s', '1', ...conn], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
    workDir = mkdtempSync(path.join(os.tmpdir(), 'pgwarden-cpu-'));
    chownPg(workDir);
    const ctx: TargetContext = {
      cluster,
      workDir,
      maxClients: Math.max(40, clients + 8),
      port: async () => {
        const p = await freePort();
        ports.push(p);
        return p;
      },
    };
    const launch = opt.pgwarden as PgwardenLaunch;
    const starters: Record<string, () => Promise<Target>> = {
      'pgwarden-sr': () => startPgwarden(ctx, 'streaming_replication', launch),
      'pgwarden-raw': () => startPgwarden(ctx, 'raw', launch),
      pipe: () => startPipe(ctx),
      'pgbouncer-session': () => startPgbouncer(ctx, 'session'),
      direct: () => startDirect(ctx),
    };
    const names = opt.targets.split(',').filter(Boolean);
    const rows: string[] = [];
    for (const name of names) {
      const start = name.startsWith('cli:')
        ? () => startCli(ctx, name.slice(4), names.indexOf(name))
        : starters[name];
      if (!start) throw new Error(`unknown target ${name}`);
      const t = await start();
      running.push(t);
      for (let round = 0; round < Number(opt.rounds); round++) {
        const sampler = t.pids().length ? startMemSampler(() => t.pids(), t.memExclude, 250) : null;
        const args = pgbenchArgs(
          { workload: 'select-only', mode: opt.mode as QueryMode, clients, connect: false },
          { host: t.host, port: t.port, seconds },
        );
        if (opt.rate) args.splice(args.length - 1, 0, '-R', opt.rate);
        const r = await runPgbench(args, seconds * 1000 + 60_000);
        const s = sampler?.stop() ?? null;
        const tx = r.processed ?? 0;
        const us = s && tx > 0 ? (s.cpuSeconds * 1e6) / tx : null;
        const line =
          `${name.padEnd(18)} ${String(r.tps?.toFixed(0) ?? '-').padStart(6)} tps  ${String(tx).padStart(7)} tx  ` +
          `cpu ${s ? s.cpuSeconds.toFixed(2).padStart(6) : '     -'} s  ` +
          `${us === null ? '   -' : us.toFixed(1).padStart(6)} us/tx  ` +
          `rss ${s ? (s.rss / 1048576).toFixed(0).padStart(4) : '   -'} MB${r.error ? `  ERROR ${r.error}` : ''}`;
        console.log(line);
        rows.push(line);
      }
      await t.stop();
      running.splice(running.indexOf(t), 1);
    }
    console.log(
      `\npgbench -S -M ${opt.mode} -c ${clients} -j 2 -T ${seconds}, load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    for (const r of rows) console.log(r);
  } finally {
    for (const t of running) await t.stop().catch(() => undefined);
    removePgwardenBundle();
    await cluster?.destroy();
    ports.forEach(releasePort);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
