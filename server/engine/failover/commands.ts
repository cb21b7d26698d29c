/**
 * Runs failover_command / failback_command / follow_primary_command for one node and records the outcome as a
 * `command_executed` event (expanded command, exit code, duration, output tail). A failing or hanging script is
 * recorded and logged; it never stops the engine (failover_command_timeout kills a hung one).
 */
import type { PgwardenConfig } from '../config/types';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import type { Actor } from '../state/types';
import { expandPlaceholders, type PlaceholderNode, type PlaceholderValues } from './placeholders';
import { outputTail, runShellCommand, type CommandResult } from './run-command';

export type CommandKind = 'failover_command' | 'failback_command' | 'follow_primary_command';

export type CommandRunner = (command: string, opts: { timeoutMs: number }) => Promise<CommandResult>;

export interface CommandDeps {
  state: ClusterState;
  config: () => PgwardenConfig;
  logger: Logger;
  runCommand?: CommandRunner;
}

export function placeholderNode(state: ClusterState, id: number): PlaceholderNode | null {
  const n = id >= 0 ? state.node(id) : undefined;
  return n ? { id: n.id, hostname: n.hostname, port: n.port, dataDirectory: n.dataDirectory } : null;
}

/** Builds %-values: `node` is the affected node, `newMainId` %m, `oldMainId` %M, `oldPrimaryId` %P. */
export function placeholderValues(
  state: ClusterState,
  ids: { node: number; newMainId: number; oldMainId: number; oldPrimaryId: number },
): PlaceholderValues {
  const node = placeholderNode(state, ids.node) ?? { id: ids.node, hostname: '', port: 0, dataDirectory: '' };
  return {
    node,
    newMainId: ids.newMainId,
    newMain: placeholderNode(state, ids.newMainId),
    oldMainId: ids.oldMainId,
    oldPrimaryId: ids.oldPrimaryId,
    oldPrimary: placeholderNode(state, ids.oldPrimaryId),
  };
}

export async function runNodeCommand(
  deps: CommandDeps,
  kind: CommandKind,
  values: PlaceholderValues,
  actor: Actor,
): Promise<CommandResult | null> {
  const cfg = deps.config();
  const template = cfg[kind];
  if (template.trim() === '') return null;
  const command = expandPlaceholders(template, values);
  const nodeId = values.node.id;
  deps.logger.log(`execute command: ${command}`, { kind, node: nodeId });
  const run = deps.runCommand ?? runShellCommand;
  const timeoutMs = cfg.failover_command_timeout > 0 ? cfg.failover_command_timeout * 1000 : 0;
  const r = await run(command, { timeoutMs });
  const ok = r.exitCode === 0 && !r.timedOut;
  const how = r.timedOut
    ? `killed after failover_command_timeout (${cfg.failover_command_timeout} s)`
    : r.spawnError
      ? `could not start: ${r.spawnError}`
      : r.signal
        ? `killed by ${r.signal}`
        : `exited with code ${r.exitCode ?? 'null'}`;
  if (!ok)
    deps.logger.warn(`${kind} for node ${nodeId} ${how}`, { command, output: outputTail(r.output, 1024) });
  deps.state.emit({
    kind: 'command_executed',
    nodeId,
    actor,
    summary: `${kind} for node ${nodeId} ${how} in ${r.durationMs} ms`,
    reason: ok
      ? null
      : {
          code: r.timedOut ? 'command_timeout' : 'command_failed',
          message: `${kind} ${how}`,
          details: { command },
        },
    outcome: ok ? 'ok' : 'failed',
    details: {
      command: r.command,
      commandKind: kind,
      exitCode: r.exitCode,
      signal: r.signal,
      timedOut: r.timedOut,
      durationMs: r.durationMs,
      output: outputTail(r.output),
    },
  });
  return r;
}
