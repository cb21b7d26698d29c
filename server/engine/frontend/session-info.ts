/**
 * SessionEntry for SHOW pool_processes / the dashboard (api.ts). A session slot stands for pgpool's child process.
 */
import type { SessionEntry } from '../api';
import type { ClientSession } from './session';

export function sessionEntry(s: ClientSession): SessionEntry {
  const executing = !s.isIdle();
  return {
    // Slots count from 0; pgpool pids are > 0 and the pcp tools read pid 0 as "all": expose slot + 1.
    poolPid: s.init.slot + 1,
    startTime: s.startTime,
    clientConnectionCount: 1,
    database: s.database,
    username: s.user,
    clientAddress: s.init.clientAddress,
    applicationName: s.ctx.applicationName,
    backendConnectionTime: s.startTime,
    poolCounter: s.queries,
    status: executing ? 'Execute command' : s.txStatus === 'I' ? 'Idle' : 'Idle in transaction',
    loadBalanceNode: s.ctx.loadBalanceNode,
  };
}
