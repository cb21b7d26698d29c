/**
 * PGPOOL SET <param> = <value> | TO <value> (reference §2): only session-context parameters (pgpool CFGCXT_SESSION:
 * client_idle_limit, log_min_messages, log_statement, allow_sql_comments, check_unlogged_table, ...) may be changed,
 * for this session only; others answer pgpool's `invalid Context` error. Tag `SET`.
 */
import { lookupParam, validateValue } from './params';
import { unknownParameter } from './pgpool-show';
import type { AdminCommand, AdminError } from './types';

export function notSessionSettable(name: string): AdminError {
  return {
    error: { sqlstate: '55P02', message: `invalid Context, value for parameter "${name}" cannot be changed` },
  };
}

export const pgpoolSet: AdminCommand = {
  name: 'pgpool_set',
  run(ctx, args) {
    const [name = '', raw = ''] = args;
    const def = lookupParam(name);
    if (!def || def.domain === 'legacy') return unknownParameter(name);
    if (def.context !== 'SESSION') return notSessionSettable(def.name);
    const checked = validateValue(def, raw);
    if ('error' in checked) return { error: { sqlstate: '22023', message: checked.error } };
    ctx.session.overrides.set(def.name, checked.value);
    return { tag: 'SET' };
  },
};
