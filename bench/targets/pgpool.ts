// pgpool-II 4.3 (Debian /usr/sbin/pgpool) in streaming-replication mode with load balancing over both nodes, or in
// raw mode against the primary only. Foreground (-n), pgpool_status discarded (-D), everything in the temp dir.

import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { spawnDaemon, waitReady } from '../proc';
import { MODE_LABEL, MODE_SHORT, writePoolConf, type PoolMode } from './pgpool-conf';
import type { Target, TargetContext, TargetId } from './target';

export const PGPOOL_BIN = process.env.PGPOOL_BIN ?? '/usr/sbin/pgpool';

function version(): string {
  // pgpool prints its version on stderr.
  const r = spawnSync(PGPOOL_BIN, ['--version'], { encoding: 'utf8' });
  return /pgpool-II version ([\d.]+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?';
}

export async function startPgpool(ctx: TargetContext, mode: PoolMode): Promise<Target> {
  const short = MODE_SHORT[mode];
  const port = await ctx.port();
  const files = writePoolConf({
    dir: path.join(ctx.workDir, `pgpool-${short}`),
    mode,
    cluster: ctx.cluster,
    port,
    pcpPort: await ctx.port(),
    numInitChildren: ctx.maxClients,
  });
  const args = ['-n', '-D', '-f', files.pgpoolConf, '-F', files.pcpConf, '-a', files.hbaConf];
  const daemon = spawnDaemon(`pgpool-${short}`, PGPOOL_BIN, args, {
    logFile: path.join(files.logDir, 'pgpool.log'),
    asPostgres: true,
    cwd: files.dir,
  });
  try {
    await waitReady(port, 30_000, daemon);
  } catch (e) {
    await daemon.stop('SIGINT', 3000);
    throw e;
  }
  return {
    id: `pgpool-${short}` as TargetId,
    label: `pgpool-II ${version()} (${MODE_LABEL[mode]})`,
    host: '127.0.0.1',
    port,
    pids: () => [daemon.pid],
    memExclude: [],
    unsupported: () => null,
    failure: () => (daemon.isAlive() ? null : `pgpool exited (see ${daemon.logFile})`),
    // SIGINT = fast shutdown (does not wait for clients); pgpool then removes its shared memory and sockets.
    stop: () => daemon.stop('SIGINT', 10_000),
  };
}
