// PgBouncer (Debian package) in session or transaction pooling mode, configured into the run's temp dir.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { BENCH_DB } from '../pgbench';
import { chownPg, spawnDaemon, startMemSampler, waitReady } from '../proc';
import type { Target, TargetContext } from './target';

function version(): string {
  try {
    return (
      /PgBouncer ([\d.]+)/.exec(execFileSync('pgbouncer', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?'
    );
  } catch {
    return '?';
  }
}

export async function startPgbouncer(
  ctx: TargetContext,
  poolMode: 'session' | 'transaction',
): Promise<Target> {
  const dir = path.join(ctx.workDir, `pgbouncer-${poolMode}`);
  mkdirSync(dir, { recursive: true });
  const port = await ctx.port();
  const primary = ctx.cluster.primary;
  // trust: the backend uses trust too, so no side pays for password hashing; the user must still be in auth_file.
  writeFileSync(path.join(dir, 'userlist.txt'), '"postgres" ""\n');
  const ini = [
    '[databases]',
    `${BENCH_DB} = host=${primary.host} port=${primary.port} dbname=${BENCH_DB}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir}`,
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    `pool_mode = ${poolMode}`,
    // A server connection per client: the pool must never be what limits TPS.
    `default_pool_size = ${ctx.maxClients}`,
    `max_client_conn = ${ctx.maxClients * 4}`,
    'ignore_startup_parameters = extra_float_digits',
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    'log_connections = 0',
    'log_disconnections = 0',
    'log_pooler_errors = 1',
    'stats_period = 60',
    '',
  ].join('\n');
  const conf = path.join(dir, 'pgbouncer.ini');
  writeFileSync(conf, ini);
  chownPg(dir, conf, path.join(dir, 'userlist.txt'));

  const daemon = spawnDaemon(`pgbouncer-${poolMode}`, 'pgbouncer', [conf], {
    logFile: path.join(dir, 'pgbouncer.log'),
    asPostgres: true,
    cwd: dir,
  });
  try {
    await waitReady(port, 20_000, daemon);
  } catch (e) {
    await daemon.stop('SIGKILL', 1000);
    throw e;
  }
  // Sanity: startMemSampler must see the process now, or the memory column would silently be empty.
  startMemSampler(() => [daemon.pid], []).stop();
  return {
    id: poolMode === 'session' ? 'pgbouncer-session' : 'pgbouncer-transaction',
    label: `PgBouncer ${version()} (${poolMode})`,
    host: '127.0.0.1',
    port,
    pids: () => [daemon.pid],
    memExclude: [],
    unsupported: (c) =>
      poolMode === 'transaction' && c.mode === 'prepared'
        ? 'PgBouncer < 1.21 has no prepared statements in transaction mode'
        : null,
    failure: () => (daemon.isAlive() ? null : `pgbouncer exited (see ${daemon.logFile})`),
    // SIGINT = "safe shutdown" waits for clients; SIGTERM = immediate shutdown in 1.18.
    stop: () => daemon.stop('SIGTERM', 5000),
  };
}
