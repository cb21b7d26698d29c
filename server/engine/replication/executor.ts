/**
 * Runs a ReplicationPlan (plan.ts) over per-node channels and decides what the client sees (reference §4.1, §4.2).
 * Transport-agnostic: the session gives a NodeChannel that sends one simple Query to a node and collects its whole
 * reply (every message up to ReadyForQuery); unit tests give a fake one.
 *
 * The main node's reply is held until the others answered, because a mismatch replaces it (XX001, FATAL). This
 * holds a write's result in memory (RETURNING rows included); reads are not executed here.
 */
import { errorResponse, noticeResponse, readyForQuery } from '../protocol/backend-builders';
import { BackendType, type TxStatus } from '../protocol/constants';
import { decodeBackend } from '../protocol/messages';
import type { Logger } from '../runtime/logger';
import { checkOutcomes, type MismatchDecision, type MismatchSettings, type NodeOutcome } from './mismatch';
import type { ReplicationPlan } from './plan';

/** pgpool's POOL_ERROR_QUERY: an invalid statement sent to abort the transaction on the other nodes. */
export const POOL_ERROR_QUERY = 'send invalid query from pgpool to abort transaction';

export interface NodeReply {
  nodeId: number;
  /** Whole backend messages, ReadyForQuery last. */
  frames: Buffer[];
  outcome: NodeOutcome;
  status: TxStatus;
  /** First column of the first DataRow, as text (SELECT now()). */
  firstValue: string | null;
}

export interface NodeChannel {
  /** Sends a simple Query to the node and resolves with its whole reply. */
  run(nodeId: number, sql: string): Promise<NodeReply>;
}

export interface ExecuteInput {
  plan: ReplicationPlan;
  /** The client's statement; `rewrite` may replace it once the main node's now() is known. */
  sql: string;
  rewrite?: (now: string) => string;
  channel: NodeChannel;
  mainNodeId: number;
  numBackends: number;
  isCommit: boolean;
  settings: MismatchSettings;
  logger?: Logger;
}

export interface ExecuteResult {
  /** Bytes for the client, ending with ReadyForQuery (unless the session must end). */
  frames: Buffer[];
  decision: MismatchDecision;
  /** Close the session after writing `frames` (kind mismatch FATAL, affected-tuples failover). */
  endSession: boolean;
  /** The statement as sent (after timestamp rewriting). */
  sql: string;
}

const SKIPPED_KINDS = new Set<number>([
  BackendType.NoticeResponse,
  BackendType.ParameterStatus,
  BackendType.NotificationResponse,
]);

/** Builds a NodeReply from whole frames (pgpool read_kind_from_backend skips N, S and A). */
export function summarizeReply(nodeId: number, frames: Buffer[]): NodeReply {
  const outcome: NodeOutcome = { nodeId, kind: 'Z' };
  let status: TxStatus = 'I';
  let firstValue: string | null = null;
  let seen = false;
  for (const f of frames) {
    const type = f[0]!;
    if (type === BackendType.ReadyForQuery) status = String.fromCharCode(f[5]!) as TxStatus;
    if (type === BackendType.DataRow && firstValue === null) {
      const m = decodeBackend(f, 0, f.length);
      if (m.name === 'dataRow') firstValue = m.values[0]?.toString('utf8') ?? null;
    }
    if (seen || SKIPPED_KINDS.has(type)) continue;
    seen = true;
    outcome.kind = String.fromCharCode(type);
  }
  // The tag that counts is the last CommandComplete (after RowDescription/DataRows for RETURNING).
  for (const f of frames) {
    const m =
      f[0] === BackendType.CommandComplete || f[0] === BackendType.ErrorResponse
        ? decodeBackend(f, 0, f.length)
        : null;
    if (m?.name === 'commandComplete') outcome.tag = m.tag;
    if (m?.name === 'errorResponse') outcome.error ??= m.fields.message;
  }
  return { nodeId, frames, outcome, status, firstValue };
}

const withoutReady = (frames: Buffer[]): Buffer[] => frames.filter((f) => f[0] !== BackendType.ReadyForQuery);
const failed = (r: NodeReply): boolean => r.outcome.error !== undefined;

const OK_DECISION = checkOutcomes({
  outcomes: [],
  mainNodeId: 0,
  numBackends: 0,
  query: '',
  settings: { replication_stop_on_mismatch: false, failover_if_affected_tuples_mismatch: false },
});

export async function executeReplicated(input: ExecuteInput): Promise<ExecuteResult> {
  const { plan, channel, mainNodeId } = input;
  let sql = input.sql;
  const runAll = (nodes: number[], q: string): Promise<NodeReply[]> =>
    Promise.all(nodes.map((n) => channel.run(n, q)));
  const rollback = async (): Promise<TxStatus> => {
    if (!plan.internalTransaction) return 'I';
    const replies = await runAll(plan.rollbackNodes, 'ROLLBACK');
    return replies.find((r) => r.nodeId === mainNodeId)?.status ?? 'I';
  };
  const answer = (frames: Buffer[], status: TxStatus, decision = OK_DECISION): ExecuteResult => ({
    frames: [...withoutReady(frames), readyForQuery(status)],
    decision,
    endSession: false,
    sql,
  });

  let mainReply: NodeReply | null = null;
  for (const step of plan.steps) {
    if (step.op === 'internal') {
      const replies: NodeReply[] = [];
      // BEGIN everywhere at once; the internal COMMIT on the others at once, then the main node; locks in order
      // (main node first, so concurrent sessions queue there before touching the others).
      if (step.purpose === 'begin') replies.push(...(await runAll(step.nodes, step.sql)));
      else if (step.purpose === 'commit') {
        replies.push(...(await runAll(step.nodes.slice(0, -1), step.sql)));
        replies.push(await channel.run(step.nodes.at(-1)!, step.sql));
      } else for (const n of step.nodes) replies.push(await channel.run(n, step.sql));
      if (step.whenNoRows && replies.length === 1 && replies[0]!.firstValue === null && !failed(replies[0]!))
        for (const q of step.whenNoRows) replies.push(await channel.run(replies[0]!.nodeId, q));
      if (step.purpose === 'now') {
        const now = replies[0]?.firstValue;
        if (now && input.rewrite) sql = input.rewrite(now);
      }
      const bad = replies.find(failed);
      if (step.purpose === 'commit') {
        const decision = checkOutcomes({
          outcomes: replies.map((r) => r.outcome),
          mainNodeId,
          numBackends: input.numBackends,
          query: sql,
          isCommit: true,
          settings: input.settings,
        });
        if (decision.action !== 'ok') return decide(decision, mainReply!, sql, async () => 'I', null);
        const mainCommit = replies.find((r) => r.nodeId === mainNodeId);
        if (mainCommit && failed(mainCommit)) return answer(mainCommit.frames, mainCommit.status);
        return answer(mainReply!.frames, mainCommit?.status ?? 'I');
      }
      if (bad) {
        input.logger?.warn('native replication: internal statement failed', {
          node: bad.nodeId,
          statement: step.sql,
          error: bad.outcome.error,
        });
        const status = await rollback();
        return answer(bad.frames, plan.internalTransaction ? status : bad.status);
      }
    } else if (step.op === 'main') {
      mainReply = await channel.run(step.node, sql);
      if (failed(mainReply)) {
        // pgpool: on a main-node error the others do not run the statement; their transaction is aborted.
        if (plan.internalTransaction) return answer(mainReply.frames, await rollback());
        const others = plan.steps.find((s) => s.op === 'others');
        if (others?.op === 'others' && mainReply.status === 'E') await runAll(others.nodes, POOL_ERROR_QUERY);
        return answer(mainReply.frames, mainReply.status);
      }
    } else if (step.op === 'others') {
      const replies = await runAll(step.nodes, sql);
      const decision = checkOutcomes({
        outcomes: [mainReply!.outcome, ...replies.map((r) => r.outcome)],
        mainNodeId,
        numBackends: input.numBackends,
        query: sql,
        isCommit: input.isCommit,
        settings: input.settings,
      });
      if (decision.log) input.logger?.warn(decision.log, { statement: sql });
      if (decision.action !== 'ok') {
        const abortOn = plan.internalTransaction ? null : { nodes: [mainNodeId, ...step.nodes], channel };
        return decide(decision, mainReply!, sql, rollback, abortOn);
      }
    } else {
      const replies = await runAll(step.nodes, sql);
      mainReply = await channel.run(step.main, sql);
      const decision = checkOutcomes({
        outcomes: [...replies, mainReply].map((r) => r.outcome),
        mainNodeId,
        numBackends: input.numBackends,
        query: sql,
        isCommit: input.isCommit,
        settings: input.settings,
      });
      if (decision.action !== 'ok') return decide(decision, mainReply, sql, async () => 'I', null);
    }
  }
  return answer(mainReply?.frames ?? [], mainReply?.status ?? 'I');
}

/** The client's answer for a mismatch; aborts the transaction everywhere when the session goes on. */
async function decide(
  decision: MismatchDecision,
  main: NodeReply,
  sql: string,
  rollback: () => Promise<TxStatus>,
  /** Explicit transaction: abort it on these nodes (pgpool do_error_command) so the client sees it failed. */
  abortOn: { nodes: number[]; channel: NodeChannel } | null,
): Promise<ExecuteResult> {
  const frames = decision.warnings.map((w) => noticeResponse(w));
  if (decision.error) frames.push(errorResponse(decision.error));
  if (decision.action === 'abort_transaction') {
    let status = await rollback();
    if (abortOn && main.status !== 'I') {
      await Promise.all(abortOn.nodes.map((n) => abortOn.channel.run(n, POOL_ERROR_QUERY)));
      status = 'E';
    }
    frames.push(readyForQuery(status));
    return { frames, decision, endSession: false, sql };
  }
  await rollback().catch(() => 'I');
  return { frames, decision, endSession: true, sql };
}
