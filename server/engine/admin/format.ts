/** Value formats of pgpool's reporting code (reference §2): C printf spellings reproduced exactly. */
import type { NodeSnapshot } from '../state/types';

/** `%f`: six decimals (lb_weight 0.333333). */
export function fmtF(n: number): string {
  return n.toFixed(6);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `%F %T` in local time, like pgpool's strftime on localtime(); '' for "never". */
export function fmtTime(d: Date | null | undefined): string {
  if (!d || d.getTime() === 0) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fmtBool(b: boolean): string {
  return b ? 'true' : 'false';
}

/** Status string of SHOW pool_nodes / pool_status backend_statusN: quarantine wins over the stored status. */
export function statusString(n: NodeSnapshot): string {
  return n.quarantined ? 'quarantine' : n.status;
}
