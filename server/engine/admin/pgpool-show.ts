/**
 * PGPOOL SHOW <param> | <group> | ALL (reference §2). One parameter: a single column named after it; a group
 * (`backend`, `health_check`, `watchdog`, `heartbeat`) or ALL: `item | value | description`. Values as pgpool.conf
 * spells them (booleans on/off), this session's PGPOOL SET values included, secrets `*****`.
 */
import { PARAMETERS } from '../config/registry';
import { formatShow, lookupParam, paramValue } from './params';
import { backendRows } from './show-pool-status';
import type { AdminCommand, AdminContext, AdminError } from './types';

export function unknownParameter(name: string): AdminError {
  return { error: { sqlstate: '42704', message: `unrecognized configuration parameter "${name}"` } };
}

function scalarItems(
  ctx: AdminContext,
  filter: (name: string, array: string | undefined) => boolean,
): string[][] {
  const rows: string[][] = [];
  for (const def of PARAMETERS) {
    if (def.domain === 'legacy' || !filter(def.name, def.array)) continue;
    const v = paramValue(ctx, def);
    if (v !== undefined) rows.push([def.name, formatShow(def, v), def.doc]);
  }
  return rows;
}

export const pgpoolShow: AdminCommand = {
  name: 'pgpool_show',
  run(ctx, args) {
    const name = (args[0] ?? '').toLowerCase();
    const columns = ['item', 'value', 'description'];
    if (name === 'all') {
      return {
        columns,
        rows: [...scalarItems(ctx, (_n, array) => !array || array === 'health_check'), ...backendRows(ctx)],
      };
    }
    if (name === 'backend') return { columns, rows: backendRows(ctx) };
    if (name === 'health_check')
      return { columns, rows: scalarItems(ctx, (_n, array) => array === 'health_check') };
    if (name === 'watchdog' || name === 'heartbeat') {
      return {
        columns,
        rows: scalarItems(ctx, (n, array) => array === name || (name === 'watchdog' && n.startsWith('wd_'))),
      };
    }
    const def = lookupParam(name);
    const v = def ? paramValue(ctx, def) : undefined;
    if (!def || v === undefined) return unknownParameter(name);
    return { columns: [def.name], rows: [[formatShow(def, v)]] };
  },
};
