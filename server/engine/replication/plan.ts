/**
 * Order of execution of one statement in native replication mode (reference §4.1, pgpool `SimpleQuery`):
 *
 * - A DML statement (INSERT/UPDATE/DELETE, writing SELECT) sent to several nodes outside an explicit transaction is
 *   wrapped in an internal `BEGIN` on every node (`start_internal_transaction`) and committed once every node
 *   answered, so insert_lock locks are held until then and a mismatch can still be rolled back everywhere.
 *   DDL and utility statements are not wrapped: some cannot run in a transaction block (VACUUM, CREATE DATABASE,
 *   CREATE INDEX CONCURRENTLY), and pgpool wraps only query node types.
 * - The main node runs the statement first; the others get it only if the main node did not fail (on a main error the
 *   internal transaction is rolled back on the nodes that began it).
 * - COMMIT / ROLLBACK (and the internal COMMIT): the other nodes first, the main node last.
 * - insert_lock statements (insert-lock.ts) run inside the internal transaction before the INSERT: on the main node
 *   only (pgpool_catalog.insert_lock row lock) or on every node (LOCK TABLE).
 * - Timestamp rewriting (rewrite-timestamp.ts) needs `SELECT now()` from the main node inside the same transaction.
 */
import type { StatementClass, StatementRoute } from '../router/types';
import type { LockStatement } from './insert-lock';

export type PlanStep =
  /** Internal statement on these nodes, in this order; each node's answer is awaited and not forwarded. */
  | {
      op: 'internal';
      sql: string;
      nodes: number[];
      purpose: 'begin' | 'commit' | 'lock' | 'now';
      /** Lock row missing in pgpool_catalog.insert_lock: these run on the main node (insert-lock.ts). */
      whenNoRows?: string[];
    }
  /** The client's statement on the main node; its reply is kept for the client. Stop on error. */
  | { op: 'main'; node: number }
  /** The client's statement on the other nodes (in parallel); their replies are compared with the main's. */
  | { op: 'others'; nodes: number[] }
  /** COMMIT/ROLLBACK from the client: the other nodes first (in parallel), then the main node (forwarded). */
  | { op: 'others_then_main'; nodes: number[]; main: number };

export interface ReplicationPlan {
  steps: PlanStep[];
  /** pgwarden opened a transaction the client does not know about (start_internal_transaction). */
  internalTransaction: boolean;
  /** After a main-node error or a mismatch, ROLLBACK on these nodes ends the internal transaction. */
  rollbackNodes: number[];
}

export interface PlanSessionState {
  /** The client is inside an explicit transaction block. */
  inTransaction: boolean;
}

export interface PlanOptions {
  /** Statements from insert-lock.ts, already split by target (main only, or all nodes). */
  lock?: LockStatement[];
  /** Timestamp rewriting needs the main node's now(). */
  needsNow?: boolean;
}

/** Statement classes that pgpool wraps in an internal transaction when sent to several nodes. */
export function wantsInternalTransaction(cls: StatementClass): boolean {
  if (cls.facts?.multiStatement) return false;
  if (cls.txEffect !== 'none') return false;
  if (cls.counter === 'insert' || cls.counter === 'update' || cls.counter === 'delete') return true;
  return cls.counter === 'select' && (cls.kind === 'write' || !!cls.facts?.writingFunction);
}

/**
 * The steps the session executor follows for a routed statement; null when plain forwarding is enough (a single
 * target, or a route the executor does not handle).
 */
export function planStatement(
  route: StatementRoute,
  session: PlanSessionState,
  cls: StatementClass,
  opts: PlanOptions = {},
): ReplicationPlan | null {
  if (route.targets.length < 2) return null;
  const main = route.replyFrom;
  const others = route.targets.filter((n) => n !== main);
  if (route.commitOrder === 'others_first')
    return {
      steps: [{ op: 'others_then_main', nodes: others, main }],
      internalTransaction: false,
      rollbackNodes: [],
    };
  const all = [main, ...others];
  const internal = !session.inTransaction && wantsInternalTransaction(cls);
  const steps: PlanStep[] = [];
  if (internal) steps.push({ op: 'internal', sql: 'BEGIN', nodes: all, purpose: 'begin' });
  // Locks only make sense inside a transaction (the client's or ours).
  if (internal || session.inTransaction)
    for (const l of opts.lock ?? [])
      steps.push({
        op: 'internal',
        sql: l.sql,
        nodes: l.allNodes ? all : [main],
        purpose: 'lock',
        ...(l.whenNoRows ? { whenNoRows: l.whenNoRows.map((w) => w.sql) } : {}),
      });
  if (opts.needsNow)
    steps.push({ op: 'internal', sql: 'SELECT pg_catalog.now()', nodes: [main], purpose: 'now' });
  steps.push({ op: 'main', node: main });
  steps.push({ op: 'others', nodes: others });
  if (internal) steps.push({ op: 'internal', sql: 'COMMIT', nodes: [...others, main], purpose: 'commit' });
  return { steps, internalTransaction: internal, rollbackNodes: internal ? all : [] };
}
