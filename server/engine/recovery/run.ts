/**
 * Online recovery runs (reference §6): one at a time, refused with pgpool's reasons when it cannot start, then the
 * stages of the mode in order (types.ts STREAMING_STAGES / NATIVE_STAGES), each with start/end time, outcome and
 * output, reported on the event stream (events.ts). A failure or a cancel (between stages, inside the wait loops,
 * and inside a running script, which is interrupted: kill-tree.ts) ends the run, lifts the client block and leaves the node down; the run's `error` names the stage, the
 * command, its exit code and the last lines of its output.
 *
 *   const recovery = new RecoveryManager(deps);
 *   const id = recovery.start(1, { actor }); recovery.run(id); recovery.cancel(id, { actor });
 */
import { randomUUID } from 'node:crypto';
import type { AdminRequest, RecoveryRun, RecoveryStage } from '../api';
import { EngineError } from '../errors';
import { checkRecovery, type RecoveryPlan } from './checks';
import { emitFinished, emitOutput, emitStage, emitStarted, MAX_OUTPUT_EVENTS_PER_STAGE } from './events';
import { MainConnection } from './main-connection';
import { lastLines } from './output';
import { createDirectRunner, createExtensionRunner } from './runner';
import { runStageBody, type StageContext } from './stages';
import {
  DEFAULT_TIMING,
  NATIVE_STAGES,
  STREAMING_STAGES,
  StageFailure,
  type RecoveryDeps,
  type StageName,
} from './types';

/** Finished runs kept in memory (the control plane persists them from the event stream). */
const KEEP_RUNS = 50;
const MAX_STAGE_OUTPUT = 64 * 1024;

export class RecoveryManager {
  private readonly runs = new Map<string, RecoveryRun>();
  private current: {
    id: string;
    cancel: boolean;
    by: string | null;
    abort: AbortController;
    done: Promise<void>;
  } | null = null;

  constructor(private readonly deps: RecoveryDeps) {}

  get inProgress(): boolean {
    return this.current !== null;
  }

  /** Validates and starts a run; returns its id at once. Throws EngineError when pgpool would refuse. */
  start(nodeId: number, req: AdminRequest): string {
    const { state, failover } = this.deps;
    const config = this.deps.config();
    const plan = checkRecovery(state, config, nodeId, {
      recovery: this.current !== null,
      failover: failover.busy || failover.following,
    });
    const names = plan.streaming ? STREAMING_STAGES : NATIVE_STAGES;
    const run: RecoveryRun = {
      id: randomUUID(),
      nodeId,
      actor: req.actor,
      startedAt: new Date(),
      endedAt: null,
      outcome: 'running',
      error: null,
      stages: names.map((name) => ({ name, startedAt: null, endedAt: null, outcome: 'pending', output: '' })),
    };
    this.runs.set(run.id, run);
    this.trim();
    const cur = {
      id: run.id,
      cancel: false,
      by: null as string | null,
      abort: new AbortController(),
      done: Promise.resolve(),
    };
    this.current = cur;
    emitStarted(state, run, {
      mode: state.mode,
      runner: config.recovery_script_runner,
      mainNodeId: plan.main.nodeId,
      reason: req.reason ?? null,
    });
    this.deps.logger.log(`starting online recovery of node ${nodeId} (run ${run.id})`);
    cur.done = this.execute(
      run,
      plan,
      () => cur.cancel,
      cur.abort.signal,
      () => cur.by,
    )
      .catch((e: unknown) => this.deps.logger.error(`recovery run ${run.id} crashed: ${String(e)}`))
      .finally(() => {
        if (this.current === cur) this.current = null;
      });
    return run.id;
  }

  run(id: string): RecoveryRun | null {
    const r = this.runs.get(id);
    return r ? structuredClone(r) : null;
  }

  list(): RecoveryRun[] {
    return [...this.runs.values()].map((r) => structuredClone(r));
  }

  /**
   * Stops the run: a running script is interrupted (kill-tree.ts), a wait loop stops at its next tick, no further
   * stage starts. Resolves once the run has ended (outcome 'cancelled', the node down, clients accepted again).
   */
  async cancel(id: string, req: AdminRequest): Promise<void> {
    const r = this.runs.get(id);
    if (!r) throw new EngineError('node_not_found', `no recovery run ${id}`);
    if (r.outcome !== 'running' || this.current?.id !== id)
      throw new EngineError('recovery_failed', `recovery run ${id} has already ended (${r.outcome})`);
    this.deps.logger.log(`recovery run ${id} cancel requested by ${req.actor.name}`);
    const cur = this.current;
    cur.cancel = true;
    cur.by = req.actor.name;
    cur.abort.abort();
    await cur.done;
  }

  /** Shutdown: the running run (if any) is cancelled as by cancel(), without waiting for it. */
  cancelCurrent(): void {
    if (!this.current) return;
    this.current.cancel = true;
    this.current.by ??= 'shutdown';
    this.current.abort.abort();
  }

  /** Resolves when no run is in progress (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.current) await this.current.done;
  }

  private trim(): void {
    for (const [id, r] of this.runs) {
      if (this.runs.size <= KEEP_RUNS) break;
      if (r.outcome !== 'running') this.runs.delete(id);
    }
  }

  private async execute(
    run: RecoveryRun,
    plan: RecoveryPlan,
    cancelled: () => boolean,
    signal: AbortSignal,
    cancelledBy: () => string | null,
  ): Promise<void> {
    const { state, logger } = this.deps;
    const config = this.deps.config();
    const conn = new MainConnection(
      plan.main,
      { user: config.recovery_user, password: config.recovery_password },
      this.deps.lookup,
    );
    const ctx: StageContext = {
      runId: run.id,
      plan,
      actor: run.actor,
      config,
      deps: this.deps,
      timing: { ...DEFAULT_TIMING, ...this.deps.timing },
      conn,
      runner:
        config.recovery_script_runner === 'direct'
          ? createDirectRunner(plan.main)
          : createExtensionRunner(conn),
      cancelled,
      signal,
      blocked: { value: false },
    };
    let failure: { index: number; error: unknown } | null = null;
    let wasCancelled = false;
    let at = -1;
    try {
      for (let i = 0; i < run.stages.length; i++) {
        if (cancelled()) {
          wasCancelled = true;
          break;
        }
        at = i;
        const err = await this.runStage(run, i, ctx);
        if (err !== null) {
          if (cancelled()) wasCancelled = true;
          else failure = { index: i, error: err };
          break;
        }
      }
    } finally {
      if (ctx.blocked.value) {
        this.deps.gate?.unblock();
        logger.log(`recovery run ${run.id}: new client sessions accepted again`);
      }
      await conn.close();
    }
    for (const s of run.stages)
      if (s.outcome === 'pending' || s.outcome === 'running')
        s.outcome = wasCancelled ? 'cancelled' : 'skipped';
    run.endedAt = new Date();
    if (failure) {
      run.outcome = 'failed';
      run.error = failureText(run, failure.index, failure.error);
      logger.warn(run.error);
    } else if (wasCancelled) {
      run.outcome = 'cancelled';
      run.error = cancelText(run, at, cancelledBy());
      logger.warn(run.error);
    } else {
      run.outcome = 'ok';
      logger.log(`online recovery of node ${run.nodeId} done (run ${run.id})`);
    }
    emitFinished(state, run);
  }

  /** Runs stage i; returns null on success, the error otherwise. */
  private async runStage(run: RecoveryRun, i: number, ctx: StageContext): Promise<unknown> {
    const { state } = this.deps;
    const stage = run.stages[i]!;
    stage.startedAt = new Date();
    stage.outcome = 'running';
    emitStage(state, run, i, 'start');
    let lines = 0;
    const out = (line: string): void => {
      appendOutput(stage, line);
      if (++lines <= MAX_OUTPUT_EVENTS_PER_STAGE) emitOutput(state, run, i, line);
    };
    let error: unknown = null;
    try {
      const r = await runStageBody(stage.name as StageName, ctx, out);
      if (r.command !== undefined) stage.command = r.command;
      if (r.exitCode !== undefined) stage.exitCode = r.exitCode;
      stage.outcome = r.skipped ? 'skipped' : 'ok';
    } catch (e) {
      error = e;
      if (e instanceof StageFailure) {
        if (e.command !== undefined) stage.command = e.command;
        if (e.exitCode !== undefined) stage.exitCode = e.exitCode;
      }
      stage.outcome = ctx.cancelled() ? 'cancelled' : 'failed';
      if (stage.outcome === 'failed') appendOutput(stage, `pgwarden: ${(e as Error).message}`);
    }
    stage.endedAt = new Date();
    emitStage(state, run, i, 'end');
    return error;
  }
}

function appendOutput(stage: RecoveryStage, line: string): void {
  stage.output += `${line}\n`;
  if (stage.output.length > MAX_STAGE_OUTPUT) stage.output = stage.output.slice(-MAX_STAGE_OUTPUT);
}

function cancelText(run: RecoveryRun, index: number, by: string | null): string {
  const s = index >= 0 ? run.stages[index] : undefined;
  const parts = [
    `recovery of node ${run.nodeId} cancelled${by ? ` by ${by}` : ''}${s ? ` during stage ${s.name}` : ''}`,
  ];
  if (s?.command) parts.push(`command: ${s.command}`);
  const tail = s ? lastLines(s.output) : '';
  if (tail) parts.push(`output so far:\n${tail}`);
  parts.push('the node stays down');
  return parts.join('\n');
}

function failureText(run: RecoveryRun, index: number, e: unknown): string {
  const s = run.stages[index]!;
  const parts = [`recovery of node ${run.nodeId} failed at stage ${s.name}: ${(e as Error).message}`];
  if (s.command) parts.push(`command: ${s.command}`);
  if (s.exitCode !== undefined) parts.push(`exit code: ${s.exitCode ?? 'unknown'}`);
  const tail = lastLines(s.output);
  if (tail) parts.push(`last output:\n${tail}`);
  parts.push('the node stays down');
  return parts.join('\n');
}
