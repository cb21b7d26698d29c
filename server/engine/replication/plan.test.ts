import { describe, expect, it } from 'vitest';
import type { StatementClass, StatementRoute } from '../router/types';
import { planStatement, wantsInternalTransaction } from './plan';

const cls = (over: Partial<StatementClass> = {}): StatementClass => ({
  kind: 'write',
  counter: 'update',
  txEffect: 'none',
  tables: ['t'],
  functions: [],
  why: 'UPDATE',
  ...over,
});
const route = (c: StatementClass, over: Partial<StatementRoute> = {}): StatementRoute => ({
  targets: [0, 1, 2],
  replyFrom: 0,
  cls: c,
  why: 'native replication',
  ...over,
});

describe('planStatement (reference §4.1 order of execution)', () => {
  it('DML outside a transaction: internal BEGIN everywhere, main first, others, COMMIT others first', () => {
    const c = cls();
    const p = planStatement(route(c), { inTransaction: false }, c)!;
    expect(p.internalTransaction).toBe(true);
    expect(p.rollbackNodes).toEqual([0, 1, 2]);
    expect(p.steps).toEqual([
      { op: 'internal', sql: 'BEGIN', nodes: [0, 1, 2], purpose: 'begin' },
      { op: 'main', node: 0 },
      { op: 'others', nodes: [1, 2] },
      { op: 'internal', sql: 'COMMIT', nodes: [1, 2, 0], purpose: 'commit' },
    ]);
  });

  it('inside an explicit transaction: no internal transaction', () => {
    const c = cls({ counter: 'delete' });
    const p = planStatement(route(c), { inTransaction: true }, c)!;
    expect(p.internalTransaction).toBe(false);
    expect(p.steps).toEqual([
      { op: 'main', node: 0 },
      { op: 'others', nodes: [1, 2] },
    ]);
  });

  it('main node other than 0 (node 0 down)', () => {
    const c = cls({ counter: 'insert' });
    const p = planStatement(route(c, { targets: [1, 2], replyFrom: 1 }), { inTransaction: false }, c)!;
    expect(p.steps[1]).toEqual({ op: 'main', node: 1 });
    expect(p.steps[3]).toMatchObject({ nodes: [2, 1], purpose: 'commit' });
  });

  it('COMMIT / ROLLBACK: others first, then main', () => {
    const c = cls({ kind: 'session', counter: 'other', txEffect: 'commit' });
    const p = planStatement(route(c, { commitOrder: 'others_first' }), { inTransaction: true }, c)!;
    expect(p.steps).toEqual([{ op: 'others_then_main', nodes: [1, 2], main: 0 }]);
  });

  it('insert lock and now() inside the internal transaction, before the statement', () => {
    const c = cls({ counter: 'insert' });
    const p = planStatement(route(c), { inTransaction: false }, c, {
      lock: [{ sql: 'LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE', allNodes: true }],
      needsNow: true,
    })!;
    expect(p.steps.map((s) => (s.op === 'internal' ? s.purpose : s.op))).toEqual([
      'begin',
      'lock',
      'now',
      'main',
      'others',
      'commit',
    ]);
    expect(p.steps[1]).toMatchObject({ nodes: [0, 1, 2] });
    const rowLock = planStatement(route(c), { inTransaction: false }, c, {
      lock: [{ sql: 'SELECT 1 FROM pgpool_catalog.insert_lock ...', allNodes: false }],
    })!;
    expect(rowLock.steps[1]).toMatchObject({ op: 'internal', nodes: [0], purpose: 'lock' });
  });

  it('single target or DDL', () => {
    const c = cls();
    expect(planStatement(route(c, { targets: [0] }), { inTransaction: false }, c)).toBeNull();
    const ddl = cls({ counter: 'ddl' });
    const p = planStatement(route(ddl), { inTransaction: false }, ddl)!;
    expect(p.internalTransaction).toBe(false);
    expect(p.steps.map((s) => s.op)).toEqual(['main', 'others']);
  });

  it('which classes get an internal transaction', () => {
    expect(wantsInternalTransaction(cls({ counter: 'insert' }))).toBe(true);
    expect(wantsInternalTransaction(cls({ counter: 'select', kind: 'write' }))).toBe(true);
    expect(wantsInternalTransaction(cls({ counter: 'select', kind: 'read' }))).toBe(false);
    expect(wantsInternalTransaction(cls({ counter: 'other' }))).toBe(false);
    expect(wantsInternalTransaction(cls({ facts: { multiStatement: true } }))).toBe(false);
  });
});
