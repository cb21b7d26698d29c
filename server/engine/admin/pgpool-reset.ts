/** PGPOOL RESET <param> | ALL (reference §2): drop this session's PGPOOL SET value(s), back to the config. Tag `SET`. */
import { lookupParam } from './params';
import { notSessionSettable } from './pgpool-set';
import { unknownParameter } from './pgpool-show';
import type { AdminCommand } from './types';

export const pgpoolReset: AdminCommand = {
  name: 'pgpool_reset',
  run(ctx, args) {
    const name = (args[0] ?? '').toLowerCase();
    if (name === 'all') {
      ctx.session.overrides.clear();
      return { tag: 'SET' };
    }
    const def = lookupParam(name);
    if (!def || def.domain === 'legacy') return unknownParameter(name);
    if (def.context !== 'SESSION') return notSessionSettable(def.name);
    ctx.session.overrides.delete(def.name);
    return { tag: 'SET' };
  },
};
