/**
 * Collected values → the `PgwardenConfig` contract: defaults for everything not written, the clustering mode
 * derived from pgpool 3.x switches when `backend_clustering_mode` is absent, and relative paths resolved against
 * pgpool.conf's directory as pgpool does for pool_passwd and pid_file_name (pgwarden extends that to logdir, the
 * SSL files and data_directory, so a config directory can be moved as a whole).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Collected, Entry } from './collect';
import type { DiagnosticSink } from './diagnostics';
import { buildBackends, buildWatchdog } from './nodes';
import { PARAMETERS } from './registry';
import type { ParamValue } from './registry-types';
import { CONTRACT_KEYS } from './schema';
import type { PgwardenConfig } from './types';

export interface BuildContext {
  confFile: string;
  sink: DiagnosticSink;
  readFile: (path: string) => string;
}

const PATH_KEYS = [
  'pool_passwd',
  'logdir',
  'pid_file_name',
  'ssl_key',
  'ssl_cert',
  'ssl_ca_cert',
  'data_directory',
];

/** Derives backend_clustering_mode from replication_mode / master_slave_mode (3.x) when it is not written. */
function clusteringMode(c: Collected, sink: DiagnosticSink): Entry | null {
  const sw = c.modeSwitches;
  if (sw.size === 0) return null;
  const explicit = c.scalars.get('backend_clustering_mode');
  const first = [...sw.values()].sort((a, b) => a.line - b.line)[0]!;
  if (explicit) {
    for (const e of sw.values()) {
      sink.warn(
        e.file,
        e.line,
        e.key,
        `ignored: backend_clustering_mode is set at ${explicit.file}:${explicit.line}`,
      );
    }
    return null;
  }
  const rep = sw.get('replication_mode');
  const ms = sw.get('master_slave_mode');
  const sub = sw.get('master_slave_sub_mode');
  const on = (e: Entry | undefined) => e?.value === true;
  const deprecated = (e: Entry, mode: string) =>
    sink.warn(
      e.file,
      e.line,
      e.key,
      `deprecated (pgpool-II 4.2 replaced it): use backend_clustering_mode = '${mode}'; applied`,
    );
  if (on(rep) && on(ms)) {
    sink.error(
      ms!.file,
      ms!.line,
      ms!.key,
      `replication_mode (${rep!.file}:${rep!.line}) and master_slave_mode cannot both be on`,
    );
    return null;
  }
  if (on(rep)) {
    deprecated(rep!, 'native_replication');
    return { ...rep!, value: 'native_replication' };
  }
  if (on(ms)) {
    const subMode = String(sub?.value ?? 'slony');
    const mode =
      subMode === 'stream'
        ? 'streaming_replication'
        : subMode === 'logical'
          ? 'logical_replication'
          : 'slony';
    deprecated(ms!, mode);
    if (sub)
      sink.warn(sub.file, sub.line, sub.key, `deprecated: folded into backend_clustering_mode = '${mode}'`);
    return { ...ms!, value: mode };
  }
  if (sub) sink.warn(sub.file, sub.line, sub.key, 'ignored: master_slave_mode is not on');
  // pgpool 3.x with every mode switch off ran in raw mode; keep that meaning for a converted config.
  sink.warn(
    first.file,
    first.line,
    first.key,
    "pgpool-II 3.x mode switches are all off: that is raw mode; applied backend_clustering_mode = 'raw'",
  );
  return { ...first, value: 'raw' };
}

export function buildConfig(c: Collected, ctx: BuildContext): PgwardenConfig {
  const confDir = dirname(ctx.confFile);
  const settings: Record<string, ParamValue> = {};
  const sources: Record<string, string> = {};
  for (const p of PARAMETERS) {
    if (p.array && p.array !== 'health_check') continue;
    const e = c.scalars.get(p.name);
    settings[p.name] = e?.value ?? p.default;
    if (e) sources[p.name] = `${e.file}:${e.line}`;
  }
  const mode = clusteringMode(c, ctx.sink);
  if (mode) {
    settings.backend_clustering_mode = mode.value;
    sources.backend_clustering_mode = `${mode.file}:${mode.line}`;
  }
  if (settings.data_directory === '') settings.data_directory = join(confDir, 'pgwarden-data');
  for (const k of PATH_KEYS) {
    const v = settings[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) settings[k] = resolve(confDir, v);
  }
  if (settings.store_url === '')
    settings.store_url = `file:${join(String(settings.data_directory), 'pgwarden.db')}`;

  const backends = buildBackends(c, ctx.sink);
  const watchdog = buildWatchdog(c, ctx.sink, Number(settings.port), () => {
    try {
      return ctx.readFile(join(confDir, 'pgpool_node_id'));
    } catch {
      return null;
    }
  });
  const scalars = Object.fromEntries(CONTRACT_KEYS.map((k) => [k, settings[k]]));
  return {
    ...(scalars as Pick<PgwardenConfig, (typeof CONTRACT_KEYS)[number]>),
    files: {
      pgpool_conf: ctx.confFile,
      pcp_conf: null,
      pool_hba_conf: null,
      pool_passwd: settings.pool_passwd === '' ? null : String(settings.pool_passwd),
    },
    backends,
    watchdog,
    settings,
    sources,
  };
}
