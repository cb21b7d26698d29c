import type { RecoveryRunView, RecoveryStageView } from '../api';

/** The part of an engine event the recovery view reads (kind and details; server/engine/recovery/events.ts). */
export interface ProgressEvent {
  kind: string;
  details?: Record<string, unknown> | null;
}

/**
 * Applies one recovery event to a run: a stage start/end replaces that stage, an output line is appended to its
 * stage, and `recovery_finished` carries the whole run. Events of other runs are ignored. Pure (unit-tested).
 */
export function applyProgress(run: RecoveryRunView, e: ProgressEvent): RecoveryRunView {
  const d = e.details ?? {};
  if (d.runId !== run.id) return run;
  if (e.kind === 'recovery_finished' && isRun(d.run)) return d.run;
  const index = typeof d.index === 'number' ? d.index : -1;
  const stage = run.stages[index];
  if (!stage) return run;
  let next: RecoveryStageView = stage;
  if (e.kind === 'recovery_stage') {
    next = {
      name: stage.name,
      startedAt: (d.startedAt as Date | null | undefined) ?? stage.startedAt,
      endedAt: (d.endedAt as Date | null | undefined) ?? stage.endedAt,
      outcome: (d.outcome as RecoveryStageView['outcome'] | undefined) ?? stage.outcome,
      command: (d.command as string | undefined) ?? stage.command,
      exitCode: (d.exitCode as number | null | undefined) ?? stage.exitCode,
      // The end event carries the whole output (the authority); a start event none yet: keep what arrived.
      output: d.phase === 'end' && typeof d.output === 'string' ? d.output : stage.output,
    };
  } else if (e.kind === 'recovery_output' && typeof d.line === 'string') {
    next = { ...stage, output: `${stage.output}${d.line}\n` }; // as the engine keeps it (recovery/run.ts)
  } else return run;
  const stages = run.stages.slice();
  stages[index] = next;
  return { ...run, stages };
}

function isRun(v: unknown): v is RecoveryRunView {
  return typeof v === 'object' && v !== null && Array.isArray((v as { stages?: unknown }).stages);
}
