/**
 * `N` process count -> `n` "CommandComplete\0" "<count>\0" then count x "<pid>\0" (reference §1.5 N).
 *
 * pgwarden has no child processes: one client session slot plays the role of one pgpool child, and its
 * pid (SessionEntry.poolPid = slot + 1, so always > 0: the tools read pid 0 as "all") is printed where pgpool
 * prints a pid; it stays the same for the whole session. The count is the number of slots the engine reports
 * through EngineApi.sessions(), so `pcp_proc_count` shows how many client sessions exist right now.
 */
import { commandComplete } from '../codec';
import type { PcpCommand } from '../types';

export interface ProcCountResult {
  /** Session slot ids, ascending. */
  pids: number[];
}

export const procCount: PcpCommand<Record<string, never>, ProcCountResult> = {
  name: 'proc_count',
  pcpType: 'N',
  replyType: 'n',
  summary: 'client session slots (pgpool: child processes)',
  decode: () => ({}),
  async run(engine) {
    const pids = [...new Set((await engine.sessions()).map((s) => s.poolPid))].sort((a, b) => a - b);
    return { pids };
  },
  encode: (r) => [commandComplete('n', [String(r.pids.length), ...r.pids.map(String)])],
};
