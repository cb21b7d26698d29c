/**
 * The configuration the engine runs on, as the API shows it (passwords masked as pgpool's PGPOOL SHOW prints them,
 * `*****`), and reload: re-read files, adopt reloadable parameters, keep start-up-only ones with a warning
 * (pgpool's CFGCXT_INIT parameters need a restart).
 */
import { PARAMETERS } from '../config/registry';
import type { HbaRule, PcpUser, PgwardenConfig, PoolPasswdEntry } from '../config/types';
import { ENGINE_ACTOR } from './types';
import type { ClusterState } from './cluster-state';

/** What a reload re-reads: pgpool.conf, and (when given) pcp.conf, pool_hba.conf and pool_passwd. */
export interface ReloadedFiles {
  config: PgwardenConfig;
  warnings?: string[];
  pcpUsers?: PcpUser[];
  hba?: HbaRule[];
  poolPasswd?: ReadonlyMap<string, PoolPasswdEntry>;
}

export type ReloadSource = () => Promise<PgwardenConfig | ReloadedFiles>;

const SECRET = /password|authkey|passphrase/i;

export function maskConfig(config: PgwardenConfig): Record<string, unknown> {
  return mask(config) as Record<string, unknown>;
}

function mask(v: unknown, key = ''): unknown {
  if (typeof v === 'string') return SECRET.test(key) && !/^pool_passwd$/.test(key) && v !== '' ? '*****' : v;
  if (Array.isArray(v)) return v.map((x) => mask(x, key));
  if (v instanceof Map)
    return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), mask(x, String(k))]));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, mask(x, k)]));
  }
  return v;
}

/**
 * Parameters pgpool reads only at start-up (CFGCXT_INIT): every registry parameter of context INIT (e.g.
 * load_balance_mode, connection_life_time, authentication_timeout, pool_passwd), plus pgwarden's own start-up keys.
 * A reload keeps the running value and says so.
 */
const START_ONLY: (keyof PgwardenConfig)[] = [
  ...PARAMETERS.filter((p) => p.context === 'INIT').map((p) => p.name as keyof PgwardenConfig),
  'listen_addresses',
  'port',
  'socket_dir',
  'pcp_listen_addresses',
  'pcp_port',
  'pcp_socket_dir',
  'listen_backlog_multiplier',
  'num_init_children',
  'reserved_connections',
  'max_pool',
  'backend_clustering_mode',
  'ssl',
  'use_watchdog',
  'logdir',
  'pid_file_name',
  'dashboard_listen_address',
  'dashboard_port',
  'store_url',
  'data_directory',
];

export async function applyReload(
  current: PgwardenConfig,
  source: ReloadSource,
  state: ClusterState,
): Promise<
  { config: PgwardenConfig; warnings: string[]; changed: string[] } & Omit<ReloadedFiles, 'config'>
> {
  const loaded = await source();
  const next = 'config' in loaded ? loaded.config : loaded;
  const warnings = 'config' in loaded ? [...(loaded.warnings ?? [])] : [];
  const files: Partial<ReloadedFiles> = 'config' in loaded ? loaded : {};
  const { pcpUsers, hba, poolPasswd } = files;
  // `settings` (the file's values, PGPOOL SHOW) follows the same rule: a kept parameter shows its running value.
  const merged = { ...next, settings: { ...next.settings } } as PgwardenConfig;
  const changed: string[] = [];
  for (const k of Object.keys(next) as (keyof PgwardenConfig)[]) {
    if (k === 'backends' || k === 'files' || k === 'settings') continue;
    if (JSON.stringify(current[k]) === JSON.stringify(next[k])) continue;
    if (START_ONLY.includes(k)) {
      warnings.push(
        `${k} cannot be changed by reload (restart required): keeping ${JSON.stringify(current[k])}`,
      );
      (merged as unknown as Record<string, unknown>)[k] = current[k];
      if (current.settings && k in current.settings) merged.settings[k] = current.settings[k]!;
      else if (merged.settings) delete merged.settings[k];
    } else changed.push(k);
  }
  if (next.backends.length !== current.backends.length) {
    warnings.push(
      `the number of backends cannot change by reload (restart required): keeping ${current.backends.length}`,
    );
    merged.backends = current.backends;
    return { config: merged, warnings, changed, pcpUsers, hba, poolPasswd };
  }
  merged.backends = next.backends.map((b, i) => {
    const old = current.backends[i]!;
    if (b.hostname !== old.hostname || b.port !== old.port || b.data_directory !== old.data_directory) {
      warnings.push(`backend ${i} address/data directory cannot change by reload (restart required)`);
      b = { ...b, hostname: old.hostname, port: old.port, data_directory: old.data_directory };
    }
    const node = state.node(i);
    if (node) {
      if (b.weight !== old.weight) {
        state.setWeight(i, b.weight, ENGINE_ACTOR, 'backend_weight changed by reload');
        changed.push(`backend_weight${i}`);
      }
      node.flags = { ...b.flag };
      node.applicationName = b.application_name;
    }
    if (JSON.stringify(b.health_check) !== JSON.stringify(old.health_check))
      changed.push(`health_check (node ${i})`);
    return b;
  });
  return { config: merged, warnings, changed, pcpUsers, hba, poolPasswd };
}
