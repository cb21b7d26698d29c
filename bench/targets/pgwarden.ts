// pgwarden as a separate process through its CLI (its RSS is then its own, and its event loop is not the bench's),
// reading the very pgpool.conf pgpool-II gets for the same mode.

import { spawnSync } from 'node:child_process';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { spawnDaemon, waitReady } from '../proc';
import { MODE_LABEL, MODE_SHORT, writePoolConf, type PoolMode } from './pgpool-conf';
import type { Target, TargetContext, TargetId } from './target';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * bundle (default): the bench's own esbuild bundle of the current source (scripts/build-server.mjs into a private
 * dir under node_modules/.cache, so node_modules resolves and nobody's dist/ is touched); built: the repo's dist/ via
 * bin/pgwarden.mjs (after `npm run build`); source: server/cli.ts through tsx (its esbuild service is left out of
 * the memory figures, its transpiling is not).
 */
export type PgwardenLaunch = 'bundle' | 'built' | 'source';

let bundleDir: string | null = null;
let bundleResult: { args: string[]; how: string } | Error | null = null;

function buildBundle(): { args: string[]; how: string } {
  if (bundleResult instanceof Error) throw bundleResult;
  if (bundleResult) return bundleResult;
  bundleDir = path.join(ROOT, 'node_modules/.cache/pgwarden-bench', String(process.pid));
  const r = spawnSync(process.execPath, ['scripts/build-server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, PGWARDEN_BUILD_OUTDIR: bundleDir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const cli = path.join(bundleDir, 'cli.js');
  if (r.status !== 0 || !existsSync(cli)) {
    bundleResult = new Error(`bundling failed: ${(r.stderr || r.error?.message || '').trim().slice(-300)}`);
    throw bundleResult;
  }
  return (bundleResult = { args: [cli], how: 'esbuild bundle' });
}

/** Removes the bench's private bundle (called on every exit path of run.ts). */
export function removePgwardenBundle(): void {
  if (!bundleDir) return;
  rmSync(bundleDir, { recursive: true, force: true });
  try {
    rmdirSync(path.dirname(bundleDir)); // only when no other bench run is using it
  } catch {
    // not empty
  }
}

function command(launch: PgwardenLaunch): { args: string[]; how: string } {
  const source = path.join(ROOT, 'server/cli.ts');
  if (!existsSync(source)) throw new Error('server/cli.ts not found: the pgwarden CLI has not landed yet');
  if (launch === 'bundle') return buildBundle();
  if (launch === 'built') {
    if (!existsSync(path.join(ROOT, 'dist/cli.js')))
      throw new Error('dist/cli.js not found: run `npm run build`');
    return { args: [path.join(ROOT, 'bin/pgwarden.mjs')], how: 'dist/ via bin/pgwarden.mjs' };
  }
  return { args: ['--import', 'tsx', source], how: 'source via tsx' };
}

export async function startPgwarden(
  ctx: TargetContext,
  mode: PoolMode,
  launch: PgwardenLaunch,
  /** With the Next.js dashboard on 127.0.0.1:port (issue #7's scenario); default: --no-dashboard. */
  dashboard?: { port: number },
): Promise<Target> {
  const short = MODE_SHORT[mode] + (dashboard ? '-dashboard' : '');
  const cmd = command(launch);
  const port = await ctx.port();
  const dir = path.join(ctx.workDir, `pgwarden-${short}`);
  const files = writePoolConf({
    dir,
    mode,
    cluster: ctx.cluster,
    port,
    pcpPort: await ctx.port(),
    numInitChildren: ctx.maxClients,
    extra: dashboard
      ? [
          ['dashboard_listen_address', "'127.0.0.1'"],
          ['dashboard_port', dashboard.port],
          ['data_directory', `'${path.join(dir, 'pgwarden-data')}'`],
        ]
      : undefined,
  });
  // e.g. BENCH_PGWARDEN_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile pgwarden under the benchmark.
  const nodeArgs = (process.env.BENCH_PGWARDEN_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const args = [
    ...nodeArgs,
    ...cmd.args,
    '-n',
    '-f',
    files.pgpoolConf,
    '-F',
    files.pcpConf,
    ...(dashboard ? [] : ['--no-dashboard']),
  ];
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
    id: `pgwarden-${short}` as TargetId,
    label: `pgwarden (${MODE_LABEL[mode]}${dashboard ? `, dashboard on port ${dashboard.port}` : ''}; ${cmd.how})`,
    host: '127.0.0.1',
    port,
    pids: () => [daemon.pid],
    memExclude: ['esbuild'],
    unsupported: () => null,
    failure: () => (daemon.isAlive() ? null : `pgwarden exited (see ${daemon.logFile})`),
    stop: () => daemon.stop('SIGTERM', 10_000),
  };
}
