/**
 * SHOW pool_status (reference §2): `item | value | description` for every parameter in pgpool's order, booleans 0/1,
 * backend_clustering_mode as pgpool's enum number; then watchdog nodes, heartbeats, query cache parameters and, per
 * configured backend, backend_hostnameN … backend_application_nameN (pgpool_setup counts `backend_data` lines).
 */
import { getParam } from '../config/registry';
import { fmtF, statusString } from './format';
import { formatStatus, paramValue } from './params';
import {
  POOL_STATUS_CACHE_ITEMS,
  POOL_STATUS_ENUM_NUMBER,
  POOL_STATUS_ITEMS,
  POOL_STATUS_NULL_WHEN_EMPTY,
  POOL_STATUS_PARAM_NAME,
} from './pool-status-items';
import type { AdminCommand, AdminContext } from './types';

/** When this process started: pgpool's query cache statistics start with pgpool. */
const STARTED = new Date();
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** C ctime(): `Sun Nov 22 04:31:00 2026\n` (pgpool prints it with its newline). */
export function ctime(d: Date): string {
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}\n`
  );
}

/** Items that are not parameters (query cache statistics). */
function statValue(ctx: AdminContext, item: string): string | undefined {
  switch (item) {
    case 'memqcache_stats_start_time':
      return ctime(STARTED);
    case 'memqcache_no_cache_hits':
      return String(ctx.cacheStats?.().numSelects ?? 0);
    case 'memqcache_cache_hits':
      return String(ctx.cacheStats?.().numCacheHits ?? 0);
    default:
      return undefined;
  }
}

function scalarRows(ctx: AdminContext, items: ReadonlyArray<readonly [string, string]>): string[][] {
  const rows: string[][] = [];
  for (const [item, description] of items) {
    const stat = statValue(ctx, item);
    if (stat !== undefined) {
      rows.push([item, stat, description]);
      continue;
    }
    const def = getParam(POOL_STATUS_PARAM_NAME[item] ?? item);
    if (!def) continue;
    const v = paramValue(ctx, def);
    if (v === undefined) continue;
    const numbers = POOL_STATUS_ENUM_NUMBER[item];
    let value: string;
    if (numbers && typeof v === 'string' && numbers[v.toLowerCase()] !== undefined)
      value = String(numbers[v.toLowerCase()]);
    else if (POOL_STATUS_NULL_WHEN_EMPTY.has(item) && (v === '' || (Array.isArray(v) && v.length === 0)))
      value = '(null)';
    // pgpool splits reset_query_list at ';' without trimming and joins the parts with ';'.
    else if (item === 'reset_query_list' && Array.isArray(v)) value = v.join('; ');
    else value = formatStatus(def, v);
    rows.push([item, value, description]);
  }
  return rows;
}

/** ALLOW_TO_FAILOVER | DISALLOW_TO_FAILOVER, plus |ALWAYS_PRIMARY. */
export function backendFlagString(f: { allowToFailover: boolean; alwaysPrimary: boolean }): string {
  return (
    (f.allowToFailover ? 'ALLOW_TO_FAILOVER' : 'DISALLOW_TO_FAILOVER') +
    (f.alwaysPrimary ? '|ALWAYS_PRIMARY' : '')
  );
}

export function backendRows(ctx: AdminContext): string[][] {
  const rows: string[][] = [];
  for (const n of ctx.state.nodes) {
    const i = n.id;
    rows.push(
      [`backend_hostname${i}`, n.hostname, `backend #${i} hostname`],
      [`backend_port${i}`, String(n.port), `backend #${i} port number`],
      [`backend_weight${i}`, fmtF(n.normalizedWeight), `weight of backend #${i}`],
      [`backend_data_directory${i}`, n.dataDirectory, `data directory for backend #${i}`],
      [`backend_status${i}`, statusString(n), `status of backend #${i}`],
      [
        `standby_delay${i}`,
        String(Math.max(0, Math.trunc(n.replicationDelayBytes))),
        `standby delay of backend #${i}`,
      ],
      [`backend_flag${i}`, backendFlagString(n.flags), `backend #${i} flag`],
      [`backend_application_name${i}`, n.applicationName, `application_name for backend #${i}`],
    );
  }
  return rows;
}

function watchdogRows(ctx: AdminContext): string[][] {
  const rows: string[][] = [];
  const wd = ctx.config.watchdog;
  wd?.nodes.forEach((w, i) => {
    rows.push(
      [`hostname${i}`, w.hostname, `Host name or IP address of watchdog node #${i}`],
      [`pgpool_port${i}`, String(w.pgpool_port), `pgpool port number of watchdog node #${i}`],
      [`wd_port${i}`, String(w.wd_port), `watchdog port number of watchdog node #${i}`],
    );
  });
  wd?.heartbeats.forEach((h, i) => {
    rows.push(
      [`heartbeat_hostname${i}`, h.hostname, `IP address or hostname for sending heartbeat signal #${i}`],
      [`heartbeat_port${i}`, String(h.port), `port number for sending heartbeat signal #${i}`],
      [`heartbeat_device${i}`, h.device, `name of NIC device for sending heartbeat signal #${i}`],
    );
  });
  return rows;
}

export const showPoolStatus: AdminCommand = {
  name: 'pool_status',
  run(ctx) {
    const rows = [
      ...scalarRows(ctx, POOL_STATUS_ITEMS),
      ...watchdogRows(ctx),
      ...scalarRows(ctx, POOL_STATUS_CACHE_ITEMS),
      ...backendRows(ctx),
    ];
    return { columns: ['item', 'value', 'description'], rows };
  },
};
