/**
 * SHOW pool_status (reference §2): `item | value | description` for every parameter in pgpool's order, booleans 0/1,
 * backend_clustering_mode as pgpool's enum number; then watchdog nodes, heartbeats, query cache parameters and, per
 * configured backend, backend_hostnameN … backend_application_nameN (pgpool_setup counts `backend_data` lines).
 */
import { fmtF, statusString } from './format';
import { formatStatus, lookupParam, paramValue } from './params';
import { CLUSTERING_MODE_NUMBER, POOL_STATUS_CACHE_ITEMS, POOL_STATUS_ITEMS } from './pool-status-items';
import type { AdminCommand, AdminContext } from './types';

function scalarRows(ctx: AdminContext, names: readonly string[]): string[][] {
  const rows: string[][] = [];
  for (const name of names) {
    const def = lookupParam(name);
    if (!def) continue;
    const v = paramValue(ctx, def);
    if (v === undefined) continue;
    const value =
      name === 'backend_clustering_mode'
        ? String(CLUSTERING_MODE_NUMBER[String(v)] ?? v)
        : formatStatus(def, v);
    rows.push([name, value, def.doc]);
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
