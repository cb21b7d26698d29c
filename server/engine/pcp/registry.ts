/**
 * The one PCP command registry (ARCHITECTURE.md rule 8). Adding a command = one file in commands/ + one line here;
 * the server dispatches by request letter and the control plane looks commands up by name.
 */
import { attachNode } from './commands/attach-node';
import { detachNode } from './commands/detach-node';
import { healthCheckStats } from './commands/health-check-stats';
import { nodeCount } from './commands/node-count';
import { nodeInfo } from './commands/node-info';
import { poolStatus } from './commands/pool-status';
import { procCount } from './commands/proc-count';
import { procInfo } from './commands/proc-info';
import { promoteNode } from './commands/promote-node';
import { recoveryNode } from './commands/recovery-node';
import { reloadConfig } from './commands/reload-config';
import { stopPgpool } from './commands/stop-pgpool';
import { watchdogInfo } from './commands/watchdog-info';
import type { AnyPcpCommand } from './types';

export const pcpCommands = {
  nodeCount,
  nodeInfo,
  healthCheckStats,
  procCount,
  procInfo,
  poolStatus,
  watchdogInfo,
  attachNode,
  detachNode,
  promoteNode,
  recoveryNode,
  reloadConfig,
  stopPgpool,
} as const;

export type PcpCommandName = (typeof pcpCommands)[keyof typeof pcpCommands]['name'];

const all: readonly AnyPcpCommand[] = Object.values(pcpCommands);

const byType = new Map<string, AnyPcpCommand>();
const byName = new Map<string, AnyPcpCommand>();
for (const c of all) {
  for (const t of [c.pcpType, ...(c.alsoTypes ?? [])]) {
    if (byType.has(t)) throw new Error(`PCP request type ${t} registered twice`);
    byType.set(t, c);
  }
  byName.set(c.name, c);
}

/** The command serving a request letter, or undefined (pgpool: FATAL unknown PCP packet type). */
export function pcpCommandForType(type: string): AnyPcpCommand | undefined {
  return byType.get(type);
}

export function pcpCommandByName(name: string): AnyPcpCommand | undefined {
  return byName.get(name);
}

export function listPcpCommands(): readonly AnyPcpCommand[] {
  return all;
}
