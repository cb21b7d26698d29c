/**
 * Recovery progress on the engine event stream. Every event carries `details.runId`; stage events carry the stage
 * index, name, phase and, at the end, the whole RecoveryStage, and `recovery_finished` carries the whole run, so the
 * control plane can rebuild (and persist) a run from the stream alone.
 */
import type { RecoveryRun, RecoveryStage } from '../api';
import type { ClusterState } from '../state/cluster-state';

/** Output lines sent as separate events per stage; the rest is only in the stage's `output` (event ring is bounded). */
export const MAX_OUTPUT_EVENTS_PER_STAGE = 200;

export function emitStarted(state: ClusterState, run: RecoveryRun, extra: Record<string, unknown>): void {
  state.emit({
    kind: 'recovery_started',
    nodeId: run.nodeId,
    actor: run.actor,
    summary: `online recovery of node ${run.nodeId} started (${run.stages.map((s) => s.name).join(' -> ')})`,
    reason: null,
    outcome: 'info',
    details: {
      runId: run.id,
      nodeId: run.nodeId,
      startedAt: run.startedAt,
      stages: run.stages.map((s) => s.name),
      ...extra,
    },
  });
}

export function emitStage(
  state: ClusterState,
  run: RecoveryRun,
  index: number,
  phase: 'start' | 'end',
): void {
  const s = run.stages[index]!;
  const how = phase === 'start' ? 'started' : s.outcome;
  state.emit({
    kind: 'recovery_stage',
    nodeId: run.nodeId,
    actor: run.actor,
    summary: `recovery of node ${run.nodeId}: stage ${index + 1}/${run.stages.length} ${s.name} ${how}`,
    reason: null,
    outcome: phase === 'start' ? 'info' : s.outcome === 'failed' ? 'failed' : 'ok',
    details: { runId: run.id, index, stage: s.name, phase, ...structuredClone(s) } as Record<
      string,
      unknown
    > &
      RecoveryStage,
  });
}

export function emitOutput(state: ClusterState, run: RecoveryRun, index: number, line: string): void {
  const s = run.stages[index]!;
  state.emit({
    kind: 'recovery_output',
    nodeId: run.nodeId,
    actor: run.actor,
    summary: `${s.name}: ${line}`,
    reason: null,
    outcome: 'info',
    details: { runId: run.id, index, stage: s.name, line },
  });
}

export function emitFinished(state: ClusterState, run: RecoveryRun): void {
  state.emit({
    kind: 'recovery_finished',
    nodeId: run.nodeId,
    actor: run.actor,
    summary:
      run.outcome === 'ok'
        ? `online recovery of node ${run.nodeId} done`
        : `online recovery of node ${run.nodeId} ${run.outcome}: ${run.error ?? ''}`,
    reason: run.error ? { code: `recovery_${run.outcome}`, message: run.error } : null,
    outcome: run.outcome === 'ok' ? 'ok' : 'failed',
    details: { runId: run.id, outcome: run.outcome, error: run.error, run: structuredClone(run) },
  });
}
