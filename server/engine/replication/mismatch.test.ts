import { describe, expect, it } from 'vitest';
import {
  affectedTuples,
  checkOutcomes,
  findVictimNodes,
  kindDetails,
  trustedKind,
  type MismatchInput,
  type NodeOutcome,
} from './mismatch';

const c = (nodeId: number, tag: string): NodeOutcome => ({ nodeId, kind: 'C', tag });
const e = (nodeId: number, error: string): NodeOutcome => ({ nodeId, kind: 'E', error });
const input = (outcomes: NodeOutcome[], over: Partial<MismatchInput> = {}): MismatchInput => ({
  outcomes,
  mainNodeId: 0,
  numBackends: outcomes.length,
  query: 'UPDATE t SET a = 1 WHERE id = 7',
  settings: { replication_stop_on_mismatch: false, failover_if_affected_tuples_mismatch: false },
  ...over,
});

describe('affectedTuples', () => {
  it.each([
    ['UPDATE 3', 3],
    ['DELETE 0', 0],
    ['INSERT 0 12', 12],
    ['SELECT 5', null],
    ['CREATE TABLE', null],
    [undefined, null],
  ])('%s → %s', (tag, n) => expect(affectedTuples(tag)).toBe(n));
});

describe('kind majority (reference §4.2)', () => {
  it('a strict majority of NUM_BACKENDS wins', () => {
    expect(trustedKind([e(0, 'x'), c(1, 'UPDATE 1'), c(2, 'UPDATE 1')], 0, 3)).toBe('C');
  });
  it('no strict majority: the main node is trusted', () => {
    expect(trustedKind([e(0, 'x'), c(1, 'UPDATE 1')], 0, 2)).toBe('E');
    expect(trustedKind([c(1, 'UPDATE 1'), e(2, 'x')], 1, 2)).toBe('C');
  });
  it('a down node still counts in NUM_BACKENDS', () => {
    // 2 of 4 configured is not a majority: main (node 1) decides.
    expect(trustedKind([e(1, 'x'), c(2, 'UPDATE 1'), c(3, 'UPDATE 1')], 1, 4)).toBe('E');
  });
  it('kind details as pgpool prints them', () => {
    expect(kindDetails([c(0, 'UPDATE 1'), e(1, 'boom')])).toBe('0[C] 1[E: boom]');
  });
});

describe('kind mismatch decisions', () => {
  it('one node failing: WARNING per node, FATAL with detail and hint, no detach by default', () => {
    const d = checkOutcomes(input([c(0, 'INSERT 0 1'), c(1, 'INSERT 0 1'), e(2, 'duplicate key')]));
    expect(d.action).toBe('fatal');
    expect(d.victims).toEqual([2]);
    expect(d.detach).toBe(false);
    expect(d.warnings.map((w) => w.message)).toEqual([
      "packet kind of backend 2 ['E'] does not match with main/majority nodes packet kind ['C']",
    ]);
    expect(d.error).toMatchObject({
      severity: 'FATAL',
      message: 'failed to read kind from backend',
      detail:
        'kind mismatch among backends. Possible last query was: "UPDATE t SET a = 1 WHERE id = 7" kind details are: 0[C] 1[C] 2[E: duplicate key]',
      hint: 'check data consistency among db nodes',
    });
    expect(d.reason?.code).toBe('kind_mismatch');
    expect(d.reason?.message).toContain('node 2: error "duplicate key"');
  });
  it('replication_stop_on_mismatch detaches the mismatching nodes (confirmed, not switchover)', () => {
    const d = checkOutcomes(
      input([e(0, 'x'), c(1, 'UPDATE 1'), c(2, 'UPDATE 1')], {
        settings: { replication_stop_on_mismatch: true, failover_if_affected_tuples_mismatch: false },
      }),
    );
    expect(d).toMatchObject({ action: 'fatal', victims: [0], detach: true, switchover: false });
  });
  it('COMMIT failing on the main node only is not a mismatch (deferred trigger)', () => {
    const d = checkOutcomes(
      input([e(0, 'deferred'), c(1, 'COMMIT'), c(2, 'COMMIT')], { isCommit: true, query: 'COMMIT' }),
    );
    expect(d.action).toBe('ok');
  });
  it('COMMIT failing on a replica is a mismatch', () => {
    const d = checkOutcomes(
      input([c(0, 'COMMIT'), e(1, 'x'), c(2, 'COMMIT')], { isCommit: true, query: 'COMMIT' }),
    );
    expect(d.victims).toEqual([1]);
  });
  it('the same error everywhere is no mismatch', () => {
    expect(checkOutcomes(input([e(0, 'x'), e(1, 'x')])).action).toBe('ok');
  });
});

describe('find_victim_nodes vote table', () => {
  const m = (o: Record<number, number>): Map<number, number> =>
    new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));
  it.each([
    ['majority against main', { 0: 0, 1: 1, 2: 1 }, 0, [0]],
    ['majority with main', { 0: 1, 1: 1, 2: 0 }, 0, [2]],
    ['all differ: differ from main', { 0: 1, 1: 2, 2: 3 }, 0, [1, 2]],
    ['tie of two: differ from main', { 0: 1, 1: 0 }, 0, [1]],
    ['2-2 tie in 4 nodes: differ from main', { 0: 1, 1: 1, 2: 0, 3: 0 }, 0, [2, 3]],
    ['3 of 4 majority', { 0: 0, 1: 1, 2: 1, 3: 1 }, 0, [0]],
    ['main is node 1', { 1: 5, 2: 4, 3: 6 }, 1, [2, 3]],
  ])('%s', (_n, counts, main, victims) => {
    expect(findVictimNodes(m(counts), main)).toEqual(victims);
  });
});

describe('affected tuples mismatch decisions', () => {
  const outcomes = [c(0, 'UPDATE 1'), c(1, 'UPDATE 1'), c(2, 'UPDATE 0')];
  it('off: XX001 and the transaction is aborted, nothing detached', () => {
    const d = checkOutcomes(input(outcomes));
    expect(d).toMatchObject({ action: 'abort_transaction', victims: [2], detach: false });
    expect(d.error).toEqual({
      severity: 'ERROR',
      code: 'XX001',
      message:
        'pgpool detected difference of the number of inserted, updated or deleted tuples. Possible last query was: "UPDATE t SET a = 1 WHERE id = 7"',
      hint: 'check data consistency between main and other db node',
    });
    expect(d.log).toBe('CommandComplete: Number of affected tuples are: 1 1 0');
  });
  it('on: the victims are detached (confirmed + switchover), reason names statement and counts', () => {
    const d = checkOutcomes(
      input(outcomes, {
        settings: { replication_stop_on_mismatch: false, failover_if_affected_tuples_mismatch: true },
      }),
    );
    expect(d).toMatchObject({ action: 'detach', victims: [2], detach: true, switchover: true });
    expect(d.reason?.code).toBe('affected_tuples_mismatch');
    expect(d.reason?.message).toContain('"UPDATE t SET a = 1 WHERE id = 7"');
    expect(d.reason?.message).toContain('node 0: UPDATE 1, node 1: UPDATE 1, node 2: UPDATE 0');
    expect(d.reason?.details).toMatchObject({ tuples: { 0: 1, 1: 1, 2: 0 } });
  });
  it('equal counts and non-DML tags are fine', () => {
    expect(checkOutcomes(input([c(0, 'DELETE 2'), c(1, 'DELETE 2')])).action).toBe('ok');
    expect(checkOutcomes(input([c(0, 'SELECT 2'), c(1, 'SELECT 3')])).action).toBe('ok');
    expect(checkOutcomes(input([c(0, 'UPDATE 1')])).action).toBe('ok');
  });
});
