// pgwarden as a separate process through its CLI (its RSS is then its own, and its event loop is not the bench's),
// reading the very pgpool.conf pgpool-II gets for the same mode. Built CLI (bin/pgwarden.mjs) when present, else
// the TypeScript source through tsx, whose esbuild service process is left out of the memory figures.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { spawnDaemon, waitReady } from '../proc';
import { writePoolConf, type PoolMode } from './pgpool-conf';
import type { Target, TargetContext } from './target';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type PgwardenLaunch = 'auto' | 'built' | 'source';

function command(launch: PgwardenLaunch): { args: string[]; how: string } {
  const built = path.join(ROOT, 'bin/pgwarden.mjs');
  const source = path.join(ROOT, 'server/cli.ts');
  if (launch !== 'source' && existsSync(built) && existsSync(path.join(ROOT, 'dist'))) {
    return { args: [built], how: 'built' };
  }
  if (launch === 'built') throw new Error('bin/pgwarden.mjs or dist/ not found: run `npm run build` first');
  if (!existsSync(source)) throw new Error('server/cli.ts not found: the pgwarden CLI has not landed yet');
  return { args: ['--import', 'tsx', source], how: 'source via tsx' };
}

export async function startPgwarden(
  ctx: TargetContext,
  mode: PoolMode,
  launch: PgwardenLaunch,
): Promise<Target> {
  const short = mode === 'raw' ? 'raw' : 'sr';
  const cmd = command(launch);
  const port = await ctx.port();
  const files = writePoolConf({
    dir: path.join(ctx.workDir, `pgwarden-${short}`),
    mode,
    cluster: ctx.cluster,
    port,
    pcpPort: await ctx.port(),
    numInitChildren: ctx.maxClients,
  });
  const args = [...cmd.args, '-n', '-f', files.pgpoolConf, '-F', files.pcpConf, '--no-dashboard'];
  const daemon = spawnDaemon(`pgwarden-${short}`, process.execPath, args, {
    logFile: path.join(files.logDir, 'pgwarden.log'),
    asPostgres: false,
    cwd: ROOT,
    env: { NODE_ENV: 'production' },
  });
  try {
    await waitReady(port, 45_000, daemon);
  } catch (e) {
    await daemon.stop('SIGTERM', 3000);
    throw e;
  }
  return {
    id: mode === 'raw' ? 'pgwarden-raw' : 'pgwarden-sr',
    label: `pgwarden (${mode === 'raw' ? 'raw' : 'streaming_replication, load balancing'}; ${cmd.how})`,
    host: '127.0.0.1',
    port,
    pids: () => [daemon.pid],
    memExclude: ['esbuild'],
    unsupported: () => null,
    failure: () => (daemon.isAlive() ? null : `pgwarden exited (see ${daemon.logFile})`),
    stop: () => daemon.stop('SIGTERM', 10_000),
  };
}
