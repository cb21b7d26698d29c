import { describe, expect, it } from 'vitest';
import type { PgwardenConfig } from '../config/types';
import type { StatementClass, StatementRoute } from '../router/types';
import { nondeterministicPolicy, takesStatement } from './runner';

const cls = (over: Partial<StatementClass> = {}): StatementClass => ({
  kind: 'write',
  counter: 'insert',
  txEffect: 'none',
  tables: [],
  functions: [],
  why: '',
  ...over,
});
const route = (targets: number[], c: StatementClass): StatementRoute => ({
  targets,
  replyFrom: targets[0]!,
  cls: c,
  why: '',
});

describe('runner', () => {
  it('takes simple queries routed to several nodes, except COPY and multi-statement strings', () => {
    expect(takesStatement(route([0, 1], cls()), cls(), 'INSERT INTO t VALUES (1)')).toBe(true);
    expect(takesStatement(route([0], cls()), cls(), 'INSERT INTO t VALUES (1)')).toBe(false);
    expect(takesStatement(route([0, 1], cls()), cls(), ' copy t from stdin')).toBe(false);
    const multi = cls({ facts: { multiStatement: true } });
    expect(takesStatement(route([0, 1], multi), multi, 'INSERT INTO t VALUES (1); SELECT 1')).toBe(false);
    const read = cls({ kind: 'read', counter: 'select', facts: { writingFunction: true } });
    expect(takesStatement(route([0, 1], read), read, "SELECT nextval('s')")).toBe(true);
  });

  it('replication_nondeterministic_functions defaults to warn', () => {
    expect(nondeterministicPolicy({} as PgwardenConfig)).toBe('warn');
    const refuse = { replication_nondeterministic_functions: 'refuse' } as unknown as PgwardenConfig;
    expect(nondeterministicPolicy(refuse)).toBe('refuse');
  });
});
