/**
 * Native replication result comparison (reference §4.2): after one statement ran on several nodes, decide whether
 * their answers agree. Pure: the session collects each node's outcome and applies the decision.
 *
 * - Kind mismatch (pgpool `read_kind_from_backend`): the first significant message of each node is compared. The
 *   kind of a strict majority of NUM_BACKENDS wins, else the main node's. Mismatching nodes get a WARNING each, the
 *   session ends with FATAL `failed to read kind from backend`; with `replication_stop_on_mismatch` they are
 *   degenerated first (CONFIRMED). A COMMIT that failed only on the main node (a deferred trigger) is not a mismatch.
 * - Affected-tuples mismatch (pgpool `CommandComplete`): the row counts of `UPDATE n` / `DELETE n` / `INSERT oid n`
 *   differ from the main node's: the client gets XX001; with `failover_if_affected_tuples_mismatch` the victims
 *   (`find_victim_nodes`) are degenerated (CONFIRMED|SWITCHOVER) and the session ends, else the transaction is
 *   aborted on every node and the session goes on.
 */
import type { ErrorSpec } from '../protocol/backend-builders';
import type { Reason } from '../state/types';

/** One node's answer to one statement. */
export interface NodeOutcome {
  nodeId: number;
  /** First significant backend message letter: 'C' CommandComplete, 'E' ErrorResponse, 'T', 'I', 'G', ... */
  kind: string;
  /** CommandComplete tag (kind 'C'). */
  tag?: string;
  /** ErrorResponse message (kind 'E'). */
  error?: string;
}

export interface MismatchSettings {
  replication_stop_on_mismatch: boolean;
  failover_if_affected_tuples_mismatch: boolean;
}

export interface MismatchInput {
  /** Outcomes of the nodes that ran the statement (the valid nodes). */
  outcomes: NodeOutcome[];
  mainNodeId: number;
  /** Configured backends (pgpool NUM_BACKENDS), the denominator of the kind majority. */
  numBackends: number;
  /** Statement text, quoted in messages ("Possible last query was"). */
  query: string;
  /** The statement is COMMIT / END (the deferred-trigger exception). */
  isCommit?: boolean;
  settings: MismatchSettings;
}

export type MismatchAction = 'ok' | 'detach' | 'abort_transaction' | 'fatal';

export interface MismatchDecision {
  /**
   * ok                 forward the main node's reply.
   * detach             affected tuples, failover on: send `error`, degenerate `victims`, end the session.
   * abort_transaction  affected tuples, failover off: send `error`, abort the transaction on every node.
   * fatal              kind mismatch: send `warnings` then `error` (FATAL), degenerate `victims` if `detach`, close.
   */
  action: MismatchAction;
  victims: number[];
  /** The victims must be degenerated (failover requested with `confirmed`, and `switchover` for tuples). */
  detach: boolean;
  switchover: boolean;
  reason: Reason | null;
  /** WARNINGs to send to the client first (kind mismatch), one per mismatching node. */
  warnings: ErrorSpec[];
  /** The ErrorResponse to send instead of the main node's reply. */
  error: ErrorSpec | null;
  /** pgpool's log line, e.g. `CommandComplete: Number of affected tuples are: 1 0`. */
  log: string | null;
}

const OK: MismatchDecision = {
  action: 'ok',
  victims: [],
  detach: false,
  switchover: false,
  reason: null,
  warnings: [],
  error: null,
  log: null,
};

/** `UPDATE n`, `DELETE n`, `INSERT oid n` → n; other tags → null (not compared). */
export function affectedTuples(tag: string | undefined): number | null {
  if (!tag) return null;
  const m = /^(?:UPDATE|DELETE) (\d+)$/.exec(tag) ?? /^INSERT \d+ (\d+)$/.exec(tag);
  return m ? Number(m[1]) : null;
}

/** `0[C] 1[E: duplicate key ...]`, pgpool's kind details. */
export function kindDetails(outcomes: NodeOutcome[]): string {
  return outcomes
    .map((o) => (o.kind === 'E' ? `${o.nodeId}[E: ${o.error ?? ''}]` : `${o.nodeId}[${o.kind}]`))
    .join(' ');
}

function result(o: NodeOutcome): string {
  if (o.kind === 'E') return `error "${o.error ?? ''}"`;
  if (o.kind === 'C') return o.tag ?? 'C';
  return `'${o.kind}'`;
}

function results(outcomes: NodeOutcome[]): string {
  return outcomes.map((o) => `node ${o.nodeId}: ${result(o)}`).join(', ');
}

/** The kind every node should have had: a strict majority of NUM_BACKENDS, else the main node's. */
export function trustedKind(outcomes: NodeOutcome[], mainNodeId: number, numBackends: number): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  let best = '';
  let max = 0;
  for (const [k, n] of counts)
    if (n > max) {
      max = n;
      best = k;
    }
  if (max > numBackends / 2) return best;
  return outcomes.find((o) => o.nodeId === mainNodeId)?.kind ?? best;
}

/**
 * pgpool `find_victim_nodes`: every node votes for its count; a count held by the largest group, alone at that size
 * and by more than half of the healthy nodes, wins and the others are victims. Otherwise the nodes that differ from
 * the main node are.
 */
export function findVictimNodes(counts: Map<number, number>, mainNodeId: number): number[] {
  const groups = new Map<number, number[]>();
  for (const [node, n] of counts) groups.set(n, [...(groups.get(n) ?? []), node]);
  let max = 0;
  let winners: number[] = [];
  for (const [n, members] of groups) {
    if (members.length > max) {
      max = members.length;
      winners = [n];
    } else if (members.length === max) winners.push(n);
  }
  const majority = winners.length === 1 && max > counts.size / 2 ? winners[0] : undefined;
  const reference = majority ?? counts.get(mainNodeId);
  return [...counts]
    .filter(([, n]) => n !== reference)
    .map(([node]) => node)
    .sort((a, b) => a - b);
}

function kindMismatch(input: MismatchInput): MismatchDecision | null {
  const { outcomes, mainNodeId, query } = input;
  const trust = trustedKind(outcomes, mainNodeId, input.numBackends);
  const bad = outcomes.filter((o) => o.kind !== trust);
  if (bad.length === 0) return null;
  const main = outcomes.find((o) => o.nodeId === mainNodeId);
  // Deferred constraint / trigger failing at COMMIT on the main node only: its error is the answer (reference §4.2).
  if (
    input.isCommit &&
    main?.kind === 'E' &&
    outcomes.every((o) => o.nodeId === mainNodeId || o.kind === 'C')
  )
    return null;
  const details = kindDetails(outcomes);
  const victims = bad.map((o) => o.nodeId).sort((a, b) => a - b);
  const detach = input.settings.replication_stop_on_mismatch;
  return {
    action: 'fatal',
    victims,
    detach,
    switchover: false,
    reason: {
      code: 'kind_mismatch',
      message: `native replication: kind mismatch for statement "${query}": ${results(outcomes)}; node(s) ${victims.join(', ')} disagree with the ${trust === main?.kind ? 'main/majority' : 'majority'} kind '${trust}'`,
      details: { statement: query, trustedKind: trust, victims, kinds: details },
    },
    warnings: bad.map((o) => ({
      severity: 'WARNING',
      code: 'XX000',
      message: `packet kind of backend ${o.nodeId} ['${o.kind}'] does not match with main/majority nodes packet kind ['${trust}']`,
    })),
    error: {
      severity: 'FATAL',
      code: 'XX000',
      message: 'failed to read kind from backend',
      detail: `kind mismatch among backends. Possible last query was: "${query}" kind details are: ${details}`,
      hint: 'check data consistency among db nodes',
    },
    log: `kind mismatch among backends: ${details}`,
  };
}

function tuplesMismatch(input: MismatchInput): MismatchDecision | null {
  const { outcomes, mainNodeId, query } = input;
  const counts = new Map<number, number>();
  for (const o of outcomes) {
    const n = o.kind === 'C' ? affectedTuples(o.tag) : null;
    if (n !== null) counts.set(o.nodeId, n);
  }
  const mainCount = counts.get(mainNodeId);
  if (mainCount === undefined || [...counts.values()].every((n) => n === mainCount)) return null;
  const failover = input.settings.failover_if_affected_tuples_mismatch;
  const victims = findVictimNodes(counts, mainNodeId);
  const listed = outcomes.filter((o) => counts.has(o.nodeId));
  return {
    action: failover ? 'detach' : 'abort_transaction',
    victims,
    detach: failover,
    switchover: failover,
    reason: {
      code: 'affected_tuples_mismatch',
      message: `native replication: affected tuples mismatch for statement "${query}": ${results(listed)}; node(s) ${victims.join(', ')} disagree`,
      details: { statement: query, tuples: Object.fromEntries(counts), victims },
    },
    warnings: [],
    error: {
      severity: 'ERROR',
      code: 'XX001',
      message: `pgpool detected difference of the number of inserted, updated or deleted tuples. Possible last query was: "${query}"`,
      hint: 'check data consistency between main and other db node',
    },
    log: `CommandComplete: Number of affected tuples are: ${listed.map((o) => counts.get(o.nodeId)).join(' ')}`,
  };
}

/** Compares the nodes' outcomes of one statement (kinds first, then affected tuples). */
export function checkOutcomes(input: MismatchInput): MismatchDecision {
  if (input.outcomes.length < 2) return OK;
  return kindMismatch(input) ?? tuplesMismatch(input) ?? OK;
}
