/**
 * The session's entry point into native replication: for one simple-query write routed to several nodes, decide the
 * insert lock and the timestamp rewrite, plan (plan.ts), execute over the session's backend connections
 * (executor.ts), and apply the outcome: answer the client, request the failover of mismatching nodes, end the
 * session when pgpool would.
 *
 * Catalogue lookups (column defaults, nextval defaults, pgpool_catalog.insert_lock) run on the session's main
 * connection and are cached per cluster (a WeakMap keyed by the ClusterState, so tests and engines do not share).
 */
import type { PgwardenConfig } from '../config/types';
import type { FailoverRequester } from '../failover/types';
import { errorResponse, noticeResponse, readyForQuery } from '../protocol/backend-builders';
import { BackendType, type TxStatus } from '../protocol/constants';
import { decodeBackend } from '../protocol/messages';
import type { StatementClass, StatementRoute } from '../router/types';
import type { Logger } from '../runtime/logger';
import type { ClusterState } from '../state/cluster-state';
import { executeReplicated, type NodeChannel, type NodeReply } from './executor';
import {
  INSERT_LOCK_TABLE_SQL,
  NEXTVAL_DEFAULT_SQL,
  createInsertLocker,
  type InsertLocker,
  type LockStatement,
} from './insert-lock';
import { planStatement } from './plan';
import type { MismatchDecision } from './mismatch';
import {
  COLUMN_DEFAULTS_SQL,
  createTimestampRewriter,
  type NondeterministicPolicy,
  type PreparedRewrite,
  type TimestampRewriter,
} from './rewrite-timestamp';

export interface ReplicationHost {
  readonly channel: NodeChannel;
  readonly config: PgwardenConfig;
  readonly state: ClusterState;
  readonly logger: Logger;
  readonly database: string;
  readonly inTransaction: boolean;
  readonly failover?: FailoverRequester;
  writeClient(buf: Buffer): void;
  /** Close the client connection (after the frames were written). */
  endSession(reason: string): void;
}

interface Caches {
  rewriter: TimestampRewriter;
  locker: InsertLocker;
}

const caches = new WeakMap<ClusterState, Caches>();
const failovers = new WeakMap<ClusterState, FailoverRequester>();

/**
 * Lets sessions of this cluster request failovers on a mismatch. The engine calls it once next to startProxy (the
 * session services do not carry the failover manager yet).
 */
export function registerReplicationFailover(state: ClusterState, failover: FailoverRequester | null): void {
  if (failover) failovers.set(state, failover);
  else failovers.delete(state);
}

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function rows(reply: NodeReply): string[][] {
  const out: string[][] = [];
  for (const f of reply.frames)
    if (f[0] === BackendType.DataRow) {
      const m = decodeBackend(f, 0, f.length);
      if (m.name === 'dataRow') out.push(m.values.map((v) => v?.toString('utf8') ?? ''));
    }
  return out;
}

/** The replication_nondeterministic_functions setting (pgwarden extension, README.md), default warn. */
export function nondeterministicPolicy(config: PgwardenConfig): NondeterministicPolicy {
  return config.replication_nondeterministic_functions === 'refuse' ? 'refuse' : 'warn';
}

/**
 * The session whose main connection runs a catalogue lookup: passed through prepare/decide as their `via` argument
 * (not an AsyncLocalStorage: that turns on promise hooks for the whole process, a cost on every await).
 */
interface LookupVia {
  host: ReplicationHost;
  main: number;
}

async function lookupRows(v: unknown, sql: string): Promise<string[][]> {
  const via = v as LookupVia | undefined;
  if (!via) throw new Error('catalogue lookup outside a replicated statement');
  const reply = await via.host.channel.run(via.main, sql);
  // Not cached: a lookup failing (e.g. in an aborted transaction) is asked again next time.
  if (reply.outcome.error !== undefined) throw new Error(`catalogue lookup failed: ${reply.outcome.error}`);
  return rows(reply);
}

function cachesFor(host: ReplicationHost): Caches {
  let c = caches.get(host.state);
  if (c) return c;
  c = {
    rewriter: createTimestampRewriter({
      nondeterministic: nondeterministicPolicy(host.config),
      columnDefaults: async (table, _database, via) =>
        (await lookupRows(via, COLUMN_DEFAULTS_SQL.replace('$1', literal(table)))).map((r) => ({
          column: r[0]!,
          defaultExpr: r[1]!,
          position: Number(r[2]),
        })),
    }),
    locker: createInsertLocker({
      insertLock: host.config.insert_lock,
      lookups: {
        hasNextvalDefault: async (table, _database, via) =>
          Number((await lookupRows(via, NEXTVAL_DEFAULT_SQL.replace('$1', literal(table))))[0]?.[0] ?? 0) > 0,
        hasInsertLockTable: async (_database, via) =>
          (await lookupRows(via, INSERT_LOCK_TABLE_SQL))[0]?.[0] === 't',
      },
    }),
  };
  caches.set(host.state, c);
  return c;
}

/**
 * The timestamp analysis of a write (extended protocol: the Parse text), with catalogue lookups on the main node's
 * connection; null when the statement needs nothing. The session must be quiescent on the main node.
 */
export async function prepareWrite(
  host: ReplicationHost,
  main: number,
  sql: string,
): Promise<PreparedRewrite | null> {
  const c = cachesFor(host);
  await c.rewriter.ready;
  return c.rewriter.prepare(sql, host.database, { host, main } satisfies LookupVia);
}

/** insert_lock for an INSERT (extended protocol: the Parse text): the lock statements, or null for none. */
export async function insertLockFor(
  host: ReplicationHost,
  main: number,
  sql: string,
): Promise<LockStatement[] | null> {
  const c = cachesFor(host);
  const d = await c.locker.decide(sql, host.database, { host, main } satisfies LookupVia);
  return d.lock ? d.statements : null;
}

/** Requests the failover a mismatch decision asks for (victims detached, the decision's reason recorded). */
export function requestDetach(
  host: Pick<ReplicationHost, 'state' | 'logger' | 'failover'>,
  d: MismatchDecision,
): void {
  host.logger.warn(d.reason?.message ?? 'native replication mismatch', { victims: d.victims });
  if (!d.detach || !d.reason) return;
  const failover = host.failover ?? failovers.get(host.state);
  if (!failover) {
    host.logger.error('native replication: no failover manager to detach mismatching nodes');
    return;
  }
  void failover
    .requestNodeDown({ nodeIds: d.victims, reason: d.reason, confirmed: true, switchover: d.switchover })
    .catch((e: unknown) => host.logger.warn('failover request failed', { error: String(e) }));
}

/**
 * Whether the runner takes this statement: a simple Query routed to several nodes (not COPY, not multi-statement;
 * those keep the proxy's plain fan-out).
 */
export function takesStatement(route: StatementRoute, cls: StatementClass, sql: string): boolean {
  if (route.targets.length < 2 || cls.facts?.multiStatement) return false;
  // Reads reach several nodes only when they write (writing function) or with replicate_select: compared too.
  return !/^\s*copy\b/i.test(sql);
}

/**
 * Runs one statement; resolves once the client has its answer, with the transaction status of the ReadyForQuery
 * written (null when the session was ended).
 */
export async function runReplicated(
  host: ReplicationHost,
  route: StatementRoute,
  cls: StatementClass,
  sql: string,
): Promise<TxStatus | null> {
  const main = route.replyFrom;
  const c = cachesFor(host);
  await c.rewriter.ready;
  const via: LookupVia = { host, main };
  const write = cls.kind === 'write' || !!cls.facts?.writingFunction;
  const prepared = write ? await c.rewriter.prepare(sql, host.database, via) : null;
  if (prepared?.refusal) {
    const status = host.inTransaction ? 'T' : 'I';
    host.writeClient(errorResponse(prepared.refusal));
    host.writeClient(readyForQuery(status));
    return status;
  }
  if (prepared?.warning) {
    host.logger.warn(prepared.warning.message);
    host.writeClient(noticeResponse(prepared.warning));
  }
  const lock =
    cls.counter === 'insert'
      ? await c.locker.decide(sql, host.database, via).catch((e: unknown) => {
          host.logger.warn('insert_lock: no lock taken', { error: String(e), statement: sql });
          return null;
        })
      : null;
  const plan = planStatement(route, { inTransaction: host.inTransaction }, cls, {
    lock: lock?.statements,
    needsNow: prepared?.needsNow ?? false,
  });
  if (!plan) throw new Error('runReplicated: nothing to plan');
  const result = await executeReplicated({
    plan,
    sql,
    rewrite: prepared?.needsNow ? (now) => prepared.rewrite(now) : undefined,
    channel: host.channel,
    mainNodeId: main,
    numBackends: host.state.nodes.length,
    isCommit: cls.txEffect === 'commit',
    settings: {
      replication_stop_on_mismatch: host.config.replication_stop_on_mismatch,
      failover_if_affected_tuples_mismatch: host.config.failover_if_affected_tuples_mismatch,
    },
    logger: host.logger,
  });
  if (/^\s*(create|alter|drop)\b/i.test(sql)) {
    c.rewriter.invalidate(host.database);
    c.locker.invalidate(host.database);
  }
  // One write for the whole answer (CommandComplete and ReadyForQuery together): a write per frame costs a
  // syscall each and wakes the client for a partial answer.
  if (result.frames.length > 0)
    host.writeClient(result.frames.length === 1 ? result.frames[0]! : Buffer.concat(result.frames));
  const last = result.frames.at(-1);
  const status = last?.[0] === BackendType.ReadyForQuery ? (String.fromCharCode(last[5]!) as TxStatus) : null;
  const d = result.decision;
  if (d.action === 'ok') return status;
  requestDetach(host, d);
  if (!result.endSession) return status;
  host.endSession(d.reason?.message ?? 'native replication mismatch');
  return null;
}
