/**
 * `W "<wdid>\0"` watchdog info (`-1` = all) -> `w` "CommandComplete\0" <JSON> "\0" (reference §1.5 W).
 *
 * EngineApi does not expose watchdog state yet, so with use_watchdog off this answers exactly as pgpool does
 * (ERROR `PCP: informing watchdog info failed` / `watchdog is not enabled`), and with it on it says the state is not
 * available. `encode` already produces the JSON libpcp parses (integers stay integers, NodeCount equals the array
 * length, Appendix B.9) so only `run` changes when the watchdog lands.
 */
import { atoi, commandComplete, firstCString } from '../codec';
import { pcpError, type PcpCommand } from '../types';

export interface WatchdogNode {
  id: number;
  nodeName: string;
  hostName: string;
  delegateIp: string;
  wdPort: number;
  pgpoolPort: number;
  state: number;
  stateName: string;
  priority: number;
  membership: number;
  membershipString: string;
}

export interface WatchdogInfo {
  remoteNodeCount: number;
  memberRemoteNodeCount: number;
  nodesRequireForQuorum: number;
  quorumStatus: number;
  aliveNodeCount: number;
  escalated: boolean;
  leaderNodeName: string;
  leaderHostName: string;
  nodes: WatchdogNode[];
}

export interface WatchdogInfoArgs {
  /** -1 = all watchdog nodes. */
  watchdogId: number;
}

const FAILED = 'PCP: informing watchdog info failed';

export function watchdogJson(w: WatchdogInfo): string {
  return JSON.stringify({
    RemoteNodeCount: w.remoteNodeCount,
    MemberRemoteNodeCount: w.memberRemoteNodeCount,
    NodesRequireForQuorum: w.nodesRequireForQuorum,
    QuorumStatus: w.quorumStatus,
    AliveNodeCount: w.aliveNodeCount,
    Escalated: w.escalated ? 1 : 0,
    LeaderNodeName: w.leaderNodeName,
    LeaderHostName: w.leaderHostName,
    NodeCount: w.nodes.length,
    WatchdogNodes: w.nodes.map((n) => ({
      ID: n.id,
      State: n.state,
      Membership: n.membership,
      MembershipString: n.membershipString,
      NodeName: n.nodeName,
      HostName: n.hostName,
      StateName: n.stateName,
      DelegateIP: n.delegateIp,
      WdPort: n.wdPort,
      PgpoolPort: n.pgpoolPort,
      Priority: n.priority,
    })),
  });
}

export const watchdogInfo: PcpCommand<WatchdogInfoArgs, WatchdogInfo> = {
  name: 'watchdog_info',
  pcpType: 'W',
  replyType: 'w',
  summary: 'watchdog cluster state',
  decode: (payload) => ({ watchdogId: atoi(firstCString(payload)) }),
  async run(engine) {
    const cfg = await engine.effectiveConfig();
    if (cfg.use_watchdog !== true) {
      throw pcpError('watchdog_disabled', FAILED, 'watchdog is not enabled', {
        file: 'pcp_worker.c',
        line: 794,
      });
    }
    throw pcpError('not_implemented', FAILED, 'pgwarden does not report watchdog state through PCP yet');
  },
  encode: (w) => [commandComplete('w', [watchdogJson(w)])],
};
