/**
 * Per-node resolution: `backend_*N` into `backends[N]` with `health_check_*` (global, then `...N` override,
 * reference §3.6) applied, and the watchdog topology (4.x `hostnameN`... or converted 3.x names).
 *
 * Node numbers must be contiguous from 0. pgpool tolerates gaps (an unused slot); pgwarden refuses them because
 * a node id is an address in PCP, SHOW pool_nodes and the dashboard, and a gap in a hand-written file is nearly
 * always a typo (`backend_port3` meant to be `backend_port2`).
 */
import type { Collected, Entry } from './collect';
import type { DiagnosticSink } from './diagnostics';
import { getParam } from './registry';
import type { BackendConfig, BackendFlag, HealthCheckParams, WatchdogConfig } from './types';

const BACKEND_KEYS = [
  'backend_hostname',
  'backend_port',
  'backend_weight',
  'backend_data_directory',
  'backend_flag',
  'backend_application_name',
];
const HEALTH_KEYS: [keyof HealthCheckParams, string][] = [
  ['period', 'health_check_period'],
  ['timeout', 'health_check_timeout'],
  ['user', 'health_check_user'],
  ['password', 'health_check_password'],
  ['database', 'health_check_database'],
  ['max_retries', 'health_check_max_retries'],
  ['retry_delay', 'health_check_retry_delay'],
  ['connect_timeout', 'connect_timeout'],
];

export type FlagResult = { ok: true; flag: BackendFlag } | { ok: false; reason: string };

/** backend_flag: `|`-separated; ALLOW_TO_FAILOVER is the default, DISALLOW_TO_FAILOVER its opposite. */
export function parseBackendFlag(raw: string): FlagResult {
  const words = raw
    .split('|')
    .map((w) => w.trim().toUpperCase())
    .filter((w) => w.length > 0);
  const known = ['ALLOW_TO_FAILOVER', 'DISALLOW_TO_FAILOVER', 'ALWAYS_PRIMARY'];
  const bad = words.find((w) => !known.includes(w));
  if (bad !== undefined) {
    return {
      ok: false,
      reason: `invalid value '${raw}': unknown flag '${bad}' (expected ${known.join(', ')}, separated by '|')`,
    };
  }
  if (words.includes('ALLOW_TO_FAILOVER') && words.includes('DISALLOW_TO_FAILOVER')) {
    return {
      ok: false,
      reason: `invalid value '${raw}': ALLOW_TO_FAILOVER and DISALLOW_TO_FAILOVER are mutually exclusive`,
    };
  }
  return {
    ok: true,
    flag: {
      allowToFailover: !words.includes('DISALLOW_TO_FAILOVER'),
      alwaysPrimary: words.includes('ALWAYS_PRIMARY'),
    },
  };
}

function indexesOf(c: Collected, keys: string[]): Map<number, Entry> {
  const first = new Map<number, Entry>();
  for (const k of keys) {
    for (const [i, e] of c.arrays.get(k) ?? []) if (!first.has(i)) first.set(i, e);
  }
  return first;
}

function where(e: Entry): string {
  return `${e.file}:${e.line}`;
}

export function buildBackends(c: Collected, sink: DiagnosticSink): BackendConfig[] {
  const present = indexesOf(c, BACKEND_KEYS);
  const get = (key: string, i: number): Entry | undefined => c.arrays.get(key)?.get(i);
  const globalHealth = (key: string) => c.scalars.get(key)?.value ?? getParam(key)!.default;
  const max = Math.max(-1, ...present.keys());
  const out: BackendConfig[] = [];
  for (let i = 0; i <= max; i++) {
    const any = present.get(i);
    if (!any) {
      const next = [...present.entries()].filter(([j]) => j > i).sort(([a], [b]) => a - b)[0]![1];
      sink.error(
        next.file,
        next.line,
        next.key,
        `node ${i} is not configured: pgwarden needs node numbers 0..${max} without gaps`,
      );
      continue;
    }
    const portEntry = get('backend_port', i);
    if (!portEntry) {
      sink.error(
        any.file,
        any.line,
        `backend_port${i}`,
        `missing: node ${i} is configured (${any.key} at ${where(any)}) but has no port`,
      );
    }
    const flagEntry = get('backend_flag', i);
    let flag: BackendFlag = { allowToFailover: true, alwaysPrimary: false };
    if (flagEntry) {
      const r = parseBackendFlag(String(flagEntry.value));
      if (r.ok) flag = r.flag;
      else sink.error(flagEntry.file, flagEntry.line, flagEntry.key, r.reason);
    }
    const health = Object.fromEntries(
      HEALTH_KEYS.map(([field, key]) => [field, get(key, i)?.value ?? globalHealth(key)]),
    ) as unknown as HealthCheckParams;
    out.push({
      id: i,
      hostname: String(get('backend_hostname', i)?.value ?? ''),
      port: Number(portEntry?.value ?? 0),
      weight: Number(get('backend_weight', i)?.value ?? 0),
      data_directory: String(get('backend_data_directory', i)?.value ?? ''),
      flag,
      application_name: String(get('backend_application_name', i)?.value ?? ''),
      health_check: health,
    });
  }
  for (const [i, e] of indexesOf(
    c,
    HEALTH_KEYS.map(([, k]) => k),
  )) {
    if (i > max) sink.warn(e.file, e.line, e.key, `there is no backend node ${i}; ignored`);
  }
  return out;
}

/** Watchdog nodes: 4.x lists as written, or a 3.x config converted to them (this node first). */
export function buildWatchdog(
  c: Collected,
  sink: DiagnosticSink,
  proxyPort: number,
  readNodeId: () => string | null,
): WatchdogConfig {
  const modern = indexesOf(c, ['hostname', 'wd_port', 'pgpool_port']);
  const legacy = c.legacyWatchdog;
  const num = (key: string, i: number, def: number) => Number(c.arrays.get(key)?.get(i)?.value ?? def);
  const str = (key: string, i: number) => String(c.arrays.get(key)?.get(i)?.value ?? '');
  const hbIdx = indexesOf(c, ['heartbeat_hostname', 'heartbeat_port', 'heartbeat_device']);
  const heartbeats = [...hbIdx.keys()]
    .sort((a, b) => a - b)
    .map((i) => ({
      hostname: str('heartbeat_hostname', i),
      port: num('heartbeat_port', i, 9694),
      device: str('heartbeat_device', i),
    }));

  if (legacy.size > 0 && modern.size === 0) {
    const l = (key: string, i = -1) => legacy.get(key)?.get(i)?.value;
    const others = [
      ...new Set([
        ...(legacy.get('other_pgpool_hostname')?.keys() ?? []),
        ...(legacy.get('other_pgpool_port')?.keys() ?? []),
      ]),
    ].sort((a, b) => a - b);
    const destinations = [...new Set([...(legacy.get('heartbeat_destination')?.keys() ?? [])])].sort(
      (a, b) => a - b,
    );
    return {
      nodes: [
        {
          hostname: String(l('wd_hostname') ?? ''),
          wd_port: Number(l('wd_port') ?? 9000),
          pgpool_port: proxyPort,
        },
        ...others.map((i) => ({
          hostname: String(l('other_pgpool_hostname', i) ?? ''),
          wd_port: Number(l('other_wd_port', i) ?? 9000),
          pgpool_port: Number(l('other_pgpool_port', i) ?? 9999),
        })),
      ],
      heartbeats: [
        ...(l('wd_heartbeat_port') !== undefined || destinations.length > 0
          ? [
              {
                hostname: String(l('wd_hostname') ?? ''),
                port: Number(l('wd_heartbeat_port') ?? 9694),
                device: '',
              },
            ]
          : []),
        ...destinations.map((i) => ({
          hostname: String(l('heartbeat_destination', i) ?? ''),
          port: Number(l('heartbeat_destination_port', i) ?? 9694),
          device: str('heartbeat_device', i),
        })),
      ],
      local_node_id: 0,
      converted_from_3x: true,
    };
  }
  if (legacy.size > 0) {
    const [first] = [...legacy.values()][0]!.values();
    sink.warn(
      first!.file,
      first!.line,
      first!.key,
      'both pgpool-II 3.x and 4.x watchdog names are set: the 3.x ones are ignored',
    );
  }
  const nodes = [...modern.keys()]
    .sort((a, b) => a - b)
    .map((i) => ({
      hostname: String(c.arrays.get('hostname')?.get(i)?.value ?? 'localhost'),
      wd_port: num('wd_port', i, 9000),
      pgpool_port: num('pgpool_port', i, 9999),
    }));
  const rawId = nodes.length > 0 ? readNodeId() : null;
  const id = rawId === null ? null : Number.parseInt(rawId.trim(), 10);
  return {
    nodes,
    heartbeats,
    local_node_id: id !== null && Number.isInteger(id) ? id : null,
    converted_from_3x: false,
  };
}
