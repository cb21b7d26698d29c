/**
 * `P "<pid>\0"` process info (`0` = all) -> `p` ArraySize, k x `p` ProcessInfo (17 strings), `p` CommandComplete
 * (reference §1.5 P).
 *
 * Mapping (pgwarden has no processes): a "process" is a client session slot (SessionEntry.poolPid) and each of its
 * cached backend connections (EngineApi.pools(), PoolEntry) is one pool record, as pgpool reports one record per
 * child x pool slot x backend. A session without any backend connection yet is reported as one record with empty
 * database/user, like an idle pgpool child. ArraySize equals the number of records sent: libpcp refuses more
 * records than announced, and pgwarden has no fixed-size slot table to announce.
 */
import type { PoolEntry, SessionEntry } from '../../api';
import { arraySizeString, atoi, commandComplete, firstCString, stringsPacket } from '../codec';
import { processInfoStrings, type ProcessInfoRecord } from '../records';
import { pcpError, type PcpCommand } from '../types';

export interface ProcInfoArgs {
  /** 0 = all session slots. */
  pid: number;
}

export interface ProcInfoResult {
  processes: ProcessInfoRecord[];
}

function fromPool(p: PoolEntry, session: SessionEntry | undefined): ProcessInfoRecord {
  return {
    poolPid: p.poolPid,
    startTime: session?.startTime ?? p.startTime,
    clientConnectionCount: session?.clientConnectionCount ?? 0,
    poolId: p.poolId,
    backendId: p.backendId,
    database: p.database,
    username: p.username,
    backendConnectionTime: p.backendConnectionTime,
    clientConnectionTime: p.clientConnectionTime,
    clientDisconnectionTime: p.clientDisconnectionTime,
    clientIdleDuration: p.clientIdleDuration,
    majorVersion: p.majorVersion,
    minorVersion: p.minorVersion,
    poolCounter: p.poolCounter,
    backendPid: p.backendPid,
    connected: p.connected,
    status: p.status || session?.status || 'Wait for connection',
  };
}

function fromSession(s: SessionEntry): ProcessInfoRecord {
  return {
    poolPid: s.poolPid,
    startTime: s.startTime,
    clientConnectionCount: s.clientConnectionCount,
    poolId: 0,
    backendId: 0,
    database: s.database,
    username: s.username,
    backendConnectionTime: s.backendConnectionTime,
    clientConnectionTime: null,
    clientDisconnectionTime: null,
    clientIdleDuration: 0,
    majorVersion: 0,
    minorVersion: 0,
    poolCounter: s.poolCounter,
    backendPid: 0,
    connected: false,
    status: s.status,
  };
}

export const procInfo: PcpCommand<ProcInfoArgs, ProcInfoResult> = {
  name: 'proc_info',
  pcpType: 'P',
  replyType: 'p',
  summary: 'per session slot and backend connection details (pgpool: per child process)',
  decode: (payload) => ({ pid: atoi(firstCString(payload)) }),
  async run(engine, { pid }) {
    const [sessions, pools] = await Promise.all([engine.sessions(), engine.pools()]);
    const bySlot = new Map(sessions.map((s) => [s.poolPid, s]));
    const records: ProcessInfoRecord[] = pools.map((p) => fromPool(p, bySlot.get(p.poolPid)));
    const withPools = new Set(pools.map((p) => p.poolPid));
    for (const s of sessions) if (!withPools.has(s.poolPid)) records.push(fromSession(s));
    records.sort((a, b) => a.poolPid - b.poolPid || a.poolId - b.poolId || a.backendId - b.backendId);
    if (pid === 0) return { processes: records };
    const mine = records.filter((r) => r.poolPid === pid);
    if (mine.length === 0) {
      throw pcpError('node_not_found', 'informing process info failed', `invalid process ID : ${pid}`);
    }
    return { processes: mine };
  },
  encode: (r) => [
    arraySizeString('p', r.processes.length),
    ...r.processes.map((p) => stringsPacket('p', processInfoStrings(p))),
    commandComplete('p'),
  ],
};
