/**
 * `Z` + 1 byte scope (`c` cluster, `l` local) reload -> `z` "CommandComplete\0" (reference §1.5 Reload). Without a
 * watchdog both scopes reload this pgwarden only.
 */
import { commandComplete } from '../codec';
import type { PcpCommand } from '../types';
import { pcpReason } from './common';

export interface ReloadConfigArgs {
  scope: 'cluster' | 'local';
}

export const reloadConfig: PcpCommand<ReloadConfigArgs, { warnings: string[] }> = {
  name: 'reload_config',
  pcpType: 'Z',
  replyType: 'z',
  summary: 'reload pgpool.conf, pcp.conf, pool_hba.conf and pool_passwd',
  decode: (payload) => ({ scope: payload[0] === 0x63 /* 'c' */ ? 'cluster' : 'local' }),
  async run(engine, _args, actor) {
    return engine.reload({ actor, reason: pcpReason('configuration reload', actor) });
  },
  encode: () => [commandComplete('z')],
};
