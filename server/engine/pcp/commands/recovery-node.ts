/**
 * `O "<id>\0"` online recovery -> `c` "CommandComplete\0" sent only when the whole recovery has ended (reference
 * §1.5 Recovery, Appendix B.8): pgpool_setup and runbooks rely on the client blocking until the node is attached.
 * The run is started with EngineApi.startRecovery and followed through the event stream, with a slow poll of
 * recoveryRun as a safety net for a missed event. Through PCP each stage's start and end is also sent as a NOTICE
 * while the client waits (libpcp shows notices only with -d; `pgwarden recover` prints them as they come).
 */
import type { EngineApi, RecoveryRun } from '../../api';
import type { EngineEvent } from '../../state/types';
import { commandComplete } from '../codec';
import { pcpError, type PcpCommand } from '../types';
import { decodeNodeId, findNode, pcpReason, refuseWhileFailover } from './common';

export interface RecoveryNodeArgs {
  nodeId: number;
}

const FAILED = 'process recovery request failed';
const POLL_MS = 1000;

/** Resolves with the run once it has ended (ok, failed or cancelled). */
export async function waitForRecoveryRun(
  engine: EngineApi,
  runId: string,
  pollMs = POLL_MS,
): Promise<RecoveryRun> {
  return new Promise<RecoveryRun>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: unknown, run?: RecoveryRun): void => {
      if (done) return;
      done = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (run) resolve(run);
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    const check = async (): Promise<void> => {
      const run = await engine.recoveryRun(runId);
      if (!run) return finish(pcpError('recovery_failed', FAILED, `recovery run ${runId} disappeared`));
      if (run.outcome !== 'running') finish(null, run);
    };
    const poll = (): void => {
      check()
        .catch((e: unknown) => finish(e))
        .finally(() => {
          if (!done) timer = setTimeout(poll, pollMs);
        });
    };
    const unsubscribe = engine.subscribe((e) => {
      if (e.kind === 'recovery_finished' && (e.details?.runId === undefined || e.details.runId === runId)) {
        check().catch((err: unknown) => finish(err));
      }
    });
    poll();
  });
}

export const recoveryNode: PcpCommand<RecoveryNodeArgs, RecoveryRun> = {
  name: 'recovery_node',
  pcpType: 'O',
  replyType: 'c',
  summary: 'online recovery of a down node; answers when the recovery has ended',
  decode: decodeNodeId,
  async run(engine, { nodeId }, actor, ctx) {
    const snap = await engine.snapshot();
    refuseWhileFailover(snap);
    if (!findNode(snap, nodeId)) throw pcpError('node_not_found', FAILED, `node id ${nodeId} is not valid`);
    const streaming = snap.mode === 'streaming_replication';
    if (streaming && nodeId === snap.primaryNodeId) {
      throw pcpError('node_is_primary', FAILED, 'primary server cannot be recovered by online recovery.');
    }
    if (!streaming && snap.mode !== 'native_replication' && snap.mode !== 'snapshot_isolation') {
      throw pcpError(
        'wrong_mode',
        FAILED,
        'recovery request is only allowed in replication and streaming replication modes.',
      );
    }
    if (snap.recoveryInProgress) {
      throw pcpError(
        'recovery_in_progress',
        FAILED,
        'pgpool-II is already processing another recovery request.',
        {
          severity: 'FATAL',
        },
      );
    }
    // Subscribed before the start: the 1st stage begins before startRecovery has returned the run id.
    const notice = ctx?.notice;
    let runId: string | null = null;
    const early: EngineEvent[] = [];
    const tell = (e: EngineEvent): void => {
      if (!notice || e.kind !== 'recovery_stage' || e.details?.runId !== runId) return;
      const d = e.details as {
        stage?: string;
        phase?: string;
        outcome?: string;
        startedAt?: Date;
        endedAt?: Date;
      };
      const secs =
        d.phase === 'end' && d.startedAt && d.endedAt
          ? ` (${((new Date(d.endedAt).getTime() - new Date(d.startedAt).getTime()) / 1000).toFixed(1)} s)`
          : '';
      notice(`${e.summary}${secs}`, `stage=${d.stage} phase=${d.phase} outcome=${d.outcome}`);
    };
    const unsubscribe = notice
      ? engine.subscribe((e) => (runId === null ? early.push(e) : tell(e)))
      : () => undefined;
    try {
      runId = await engine.startRecovery(nodeId, {
        actor,
        reason: pcpReason(`recovery of node ${nodeId}`, actor),
      });
    } catch (e) {
      unsubscribe();
      throw e;
    }
    for (const e of early.splice(0)) tell(e);
    let run: RecoveryRun;
    try {
      run = await waitForRecoveryRun(engine, runId);
    } finally {
      unsubscribe();
    }
    if (run.outcome !== 'ok') {
      const failed = run.stages.find((s) => s.outcome === 'failed');
      const detail = failed
        ? `stage "${failed.name}"${failed.command ? ` command:"${failed.command}"` : ''}`
        : undefined;
      throw pcpError(
        'recovery_failed',
        run.error ?? `node recovery ${run.outcome}, node id: ${nodeId}`,
        detail,
      );
    }
    return run;
  },
  encode: () => [commandComplete('c')],
};
