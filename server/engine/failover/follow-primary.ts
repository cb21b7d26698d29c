/**
 * follow_primary_command (reference §3.4, streaming replication only). After the old primary failed (or a promote),
 * every node except the new primary is set down and the command runs once per down node (including nodes that were
 * already down), with %d/%h/%p/%D = that node, %m/%H/%r/%R = the new primary and %M = %P = the old primary, exactly
 * as pgpool passes them. It runs in the background (pgpool's "follow child") so the failover queue is not blocked:
 * the script is expected to re-point the standby and attach it again (pcp_attach_node / EngineApi.attachNode).
 */
import { ENGINE_ACTOR, type Actor } from '../state/types';
import { placeholderNode, runNodeCommand, type CommandDeps } from './commands';

export interface FollowPlan {
  newPrimary: number;
  oldPrimary: number;
  actor: Actor;
}

/** Sets every node but the new primary down (pgpool's "follow degeneration"). Returns the ids it changed. */
export function degenerateForFollow(deps: CommandDeps, plan: FollowPlan, persist: () => void): number[] {
  const changed: number[] = [];
  for (const n of deps.state.nodes) {
    if (n.id === plan.newPrimary || n.status === 'unused' || n.status === 'down') continue;
    deps.logger.log(`starting follow degeneration. shutdown host ${n.hostname}(${n.port})`);
    deps.state.setStatus(
      n.id,
      'down',
      {
        code: 'follow_primary',
        message: `set down to follow the new primary node ${plan.newPrimary} (old primary ${plan.oldPrimary})`,
        details: { newPrimary: plan.newPrimary, oldPrimary: plan.oldPrimary },
      },
      plan.actor,
    );
    changed.push(n.id);
  }
  if (changed.length > 0) persist();
  return changed;
}

/** Runs follow_primary_command for every node currently down; resolves when all have run. */
export async function runFollowPrimary(deps: CommandDeps, plan: FollowPlan): Promise<void> {
  const targets = deps.state.nodes
    .filter((n) => n.status === 'down' && n.id !== plan.newPrimary)
    .map((n) => n.id);
  const started = Date.now();
  deps.state.emit({
    kind: 'follow_primary',
    nodeId: plan.newPrimary,
    actor: plan.actor,
    summary: `follow primary started: nodes ${targets.join(', ') || '(none)'} follow node ${plan.newPrimary}`,
    reason: null,
    outcome: 'info',
    details: { phase: 'started', targets, newPrimary: plan.newPrimary, oldPrimary: plan.oldPrimary },
  });
  const results: { nodeId: number; exitCode: number | null; timedOut: boolean }[] = [];
  for (const id of targets) {
    const node = placeholderNode(deps.state, id);
    if (!node) continue;
    const r = await runNodeCommand(
      deps,
      'follow_primary_command',
      {
        node,
        newMainId: plan.newPrimary,
        newMain: placeholderNode(deps.state, plan.newPrimary),
        oldMainId: plan.oldPrimary,
        oldPrimaryId: plan.oldPrimary,
        oldPrimary: placeholderNode(deps.state, plan.oldPrimary),
      },
      plan.actor ?? ENGINE_ACTOR,
    );
    if (r) results.push({ nodeId: id, exitCode: r.exitCode, timedOut: r.timedOut });
  }
  const failed = results.filter((r) => r.exitCode !== 0 || r.timedOut);
  deps.state.emit({
    kind: 'follow_primary',
    nodeId: plan.newPrimary,
    actor: plan.actor,
    summary: `follow primary finished in ${Date.now() - started} ms${failed.length ? `, ${failed.length} command(s) failed` : ''}`,
    reason: null,
    outcome: failed.length ? 'failed' : 'ok',
    details: { phase: 'finished', results },
  });
}
