/**
 * Parameter listing for `SHOW pool_status` / `PGPOOL SHOW ALL` (reference §2): one row per parameter with its value
 * and description, then the per-node rows (`backend_hostname0`, ..., `health_check_period0`, ...). Secrets
 * (passwords, wd_authkey, store_url) are masked. The admin command formats these rows; it does not need to know
 * the registry.
 */
import { formatParamValue, getParam, PARAMETERS } from './registry';
import type { ParamValue } from './registry-types';
import type { BackendConfig, PgwardenConfig } from './types';

export interface SettingRow {
  item: string;
  value: string;
  description: string;
}

const HEALTH_FIELDS: [keyof BackendConfig['health_check'], string][] = [
  ['period', 'health_check_period'],
  ['timeout', 'health_check_timeout'],
  ['user', 'health_check_user'],
  ['password', 'health_check_password'],
  ['database', 'health_check_database'],
  ['max_retries', 'health_check_max_retries'],
  ['retry_delay', 'health_check_retry_delay'],
  ['connect_timeout', 'connect_timeout'],
];

function row(name: string, item: string, value: ParamValue): SettingRow {
  const def = getParam(name)!;
  return { item, value: formatParamValue(def, value), description: def.doc };
}

function flagText(b: BackendConfig): string {
  const words = [b.flag.allowToFailover ? 'ALLOW_TO_FAILOVER' : 'DISALLOW_TO_FAILOVER'];
  if (b.flag.alwaysPrimary) words.push('ALWAYS_PRIMARY');
  return words.join('|');
}

/** Every scalar parameter, then every node's parameters, in registry order. */
export function settingsRows(config: PgwardenConfig): SettingRow[] {
  const rows: SettingRow[] = [];
  for (const p of PARAMETERS) {
    if (p.array) continue;
    rows.push(row(p.name, p.name, config.settings[p.name] ?? p.default));
  }
  for (const b of config.backends) {
    rows.push(row('backend_hostname', `backend_hostname${b.id}`, b.hostname));
    rows.push(row('backend_port', `backend_port${b.id}`, b.port));
    rows.push(row('backend_weight', `backend_weight${b.id}`, b.weight));
    rows.push(row('backend_data_directory', `backend_data_directory${b.id}`, b.data_directory));
    rows.push(row('backend_flag', `backend_flag${b.id}`, flagText(b)));
    rows.push(row('backend_application_name', `backend_application_name${b.id}`, b.application_name));
    for (const [field, name] of HEALTH_FIELDS) rows.push(row(name, `${name}${b.id}`, b.health_check[field]));
  }
  config.watchdog.nodes.forEach((n, i) => {
    rows.push(row('hostname', `hostname${i}`, n.hostname));
    rows.push(row('wd_port', `wd_port${i}`, n.wd_port));
    rows.push(row('pgpool_port', `pgpool_port${i}`, n.pgpool_port));
  });
  config.watchdog.heartbeats.forEach((h, i) => {
    rows.push(row('heartbeat_hostname', `heartbeat_hostname${i}`, h.hostname));
    rows.push(row('heartbeat_port', `heartbeat_port${i}`, h.port));
    rows.push(row('heartbeat_device', `heartbeat_device${i}`, h.device));
  });
  return rows;
}
