import { describe, expect, it } from 'vitest';
import {
  commandComplete,
  dataRow,
  errorResponse,
  readyForQuery,
  rowDescription,
} from '../protocol/backend-builders';
import type { TxStatus } from '../protocol/constants';
import { decodeBackend } from '../protocol/messages';
import type { StatementClass } from '../router/types';
import { POOL_ERROR_QUERY, executeReplicated, summarizeReply, type NodeChannel } from './executor';
import { planStatement } from './plan';

const cls: StatementClass = {
  kind: 'write',
  counter: 'update',
  txEffect: 'none',
  tables: ['t'],
  functions: [],
  why: 'UPDATE',
};
const err = (message: string): Buffer => errorResponse({ severity: 'ERROR', code: '23505', message });

/** A fake cluster: each node answers from `answer`, tracking its transaction status. */
function fakeChannel(answer: (node: number, sql: string) => Buffer[] | null) {
  const calls: string[] = [];
  const tx = new Map<number, TxStatus>();
  const channel: NodeChannel = {
    run(nodeId, sql) {
      calls.push(`${nodeId}:${sql}`);
      let st = tx.get(nodeId) ?? 'I';
      let frames = answer(nodeId, sql);
      if (sql === 'BEGIN') st = 'T';
      if (sql === 'COMMIT' || sql === 'ROLLBACK') st = 'I';
      frames ??= [commandComplete(sql === 'BEGIN' ? 'BEGIN' : sql)];
      if (frames.some((f) => f[0] === 0x45) && st === 'T') st = 'E';
      tx.set(nodeId, st);
      return Promise.resolve(summarizeReply(nodeId, [...frames, readyForQuery(st)]));
    },
  };
  return { channel, calls };
}

const names = (frames: Buffer[]): string[] =>
  frames.map((f) => {
    const m = decodeBackend(f, 0, f.length);
    if (m.name === 'commandComplete') return `C ${m.tag}`;
    if (m.name === 'errorResponse' || m.name === 'noticeResponse')
      return `${m.name === 'noticeResponse' ? 'N ' : ''}${m.fields.severity} ${m.fields.code} ${m.fields.message}`;
    if (m.name === 'readyForQuery') return `Z ${m.status}`;
    return m.name;
  });

const settings = { replication_stop_on_mismatch: false, failover_if_affected_tuples_mismatch: false };
const Q = 'UPDATE t SET a = 1 WHERE id = 1';
const run = (channel: NodeChannel, inTransaction = false, s = settings) =>
  executeReplicated({
    plan: planStatement({ targets: [0, 1, 2], replyFrom: 0, cls, why: '' }, { inTransaction }, cls)!,
    sql: Q,
    channel,
    mainNodeId: 0,
    numBackends: 3,
    isCommit: false,
    settings: s,
  });

describe('executeReplicated', () => {
  it('agreeing nodes: BEGIN everywhere, main, others, COMMIT others first, main reply with Z I', async () => {
    const f = fakeChannel((_n, sql) => (sql === Q ? [commandComplete('UPDATE 1')] : null));
    const r = await run(f.channel);
    expect(f.calls).toEqual([
      '0:BEGIN',
      '1:BEGIN',
      '2:BEGIN',
      `0:${Q}`,
      `1:${Q}`,
      `2:${Q}`,
      '1:COMMIT',
      '2:COMMIT',
      '0:COMMIT',
    ]);
    expect(names(r.frames)).toEqual(['C UPDATE 1', 'Z I']);
    expect(r.decision.action).toBe('ok');
    expect(r.endSession).toBe(false);
  });

  it('main node error: the others never run it, internal transaction rolled back', async () => {
    const f = fakeChannel((n, sql) => (sql === Q && n === 0 ? [err('dup')] : null));
    const r = await run(f.channel);
    expect(f.calls.filter((c) => c.endsWith(Q))).toEqual([`0:${Q}`]);
    expect(f.calls.slice(-3)).toEqual(['0:ROLLBACK', '1:ROLLBACK', '2:ROLLBACK']);
    expect(names(r.frames)).toEqual(['ERROR 23505 dup', 'Z I']);
  });

  it('main node error in an explicit transaction: POOL_ERROR_QUERY aborts the others', async () => {
    const f = fakeChannel((n, sql) =>
      sql === POOL_ERROR_QUERY || (sql === Q && n === 0) ? [err('x')] : null,
    );
    for (const n of [0, 1, 2]) await f.channel.run(n, 'BEGIN');
    const r = await run(f.channel, true);
    expect(f.calls.slice(3)).toEqual([`0:${Q}`, `1:${POOL_ERROR_QUERY}`, `2:${POOL_ERROR_QUERY}`]);
    expect(names(r.frames)).toEqual(['ERROR 23505 x', 'Z E']);
  });

  it('affected tuples mismatch, failover off: XX001, rollback everywhere, session goes on', async () => {
    const f = fakeChannel((n, sql) =>
      sql === Q ? [commandComplete(n === 2 ? 'UPDATE 0' : 'UPDATE 1')] : null,
    );
    const r = await run(f.channel);
    expect(r.decision).toMatchObject({ action: 'abort_transaction', victims: [2] });
    expect(names(r.frames)).toEqual([
      `ERROR XX001 pgpool detected difference of the number of inserted, updated or deleted tuples. Possible last query was: "${Q}"`,
      'Z I',
    ]);
    expect(f.calls.slice(-3)).toEqual(['0:ROLLBACK', '1:ROLLBACK', '2:ROLLBACK']);
  });

  it('affected tuples mismatch in an explicit transaction: the transaction is aborted on every node', async () => {
    const f = fakeChannel((n, sql) =>
      sql === POOL_ERROR_QUERY
        ? [err('syntax')]
        : sql === Q
          ? [commandComplete(n === 2 ? 'UPDATE 0' : 'UPDATE 1')]
          : null,
    );
    for (const n of [0, 1, 2]) await f.channel.run(n, 'BEGIN');
    const r = await run(f.channel, true);
    expect(names(r.frames).at(-1)).toBe('Z E');
    expect(f.calls.filter((c) => c.endsWith(POOL_ERROR_QUERY))).toHaveLength(3);
  });

  it('affected tuples mismatch, failover on: XX001 then end of session, victims in the decision', async () => {
    const f = fakeChannel((n, sql) =>
      sql === Q ? [commandComplete(n === 2 ? 'UPDATE 0' : 'UPDATE 1')] : null,
    );
    const r = await run(f.channel, false, { ...settings, failover_if_affected_tuples_mismatch: true });
    expect(r.endSession).toBe(true);
    expect(r.decision).toMatchObject({ action: 'detach', victims: [2], detach: true, switchover: true });
    expect(names(r.frames)[0]).toContain('XX001');
  });

  it('kind mismatch: WARNING + FATAL, session ends', async () => {
    const f = fakeChannel((n, sql) =>
      sql === Q ? [n === 1 ? err('boom') : commandComplete('UPDATE 1')] : null,
    );
    const r = await run(f.channel);
    expect(r.endSession).toBe(true);
    expect(names(r.frames)).toEqual([
      "N WARNING XX000 packet kind of backend 1 ['E'] does not match with main/majority nodes packet kind ['C']",
      'FATAL XX000 failed to read kind from backend',
    ]);
  });

  it('now() from the main node feeds the rewrite; RETURNING rows come from the main node', async () => {
    const f = fakeChannel((_n, sql) =>
      sql === 'SELECT pg_catalog.now()'
        ? [rowDescription([{ name: 'now', typeOid: 1184 }]), dataRow(['2024-01-02 03:04:05+00'])]
        : sql.startsWith('UPDATE')
          ? [rowDescription([{ name: 'a', typeOid: 23 }]), dataRow(['1']), commandComplete('UPDATE 1')]
          : null,
    );
    const plan = planStatement(
      { targets: [0, 1], replyFrom: 0, cls, why: '' },
      { inTransaction: false },
      cls,
      {
        needsNow: true,
      },
    )!;
    const r = await executeReplicated({
      plan,
      sql: 'UPDATE t SET ts = now() RETURNING a',
      rewrite: (now) => `UPDATE t SET ts = '${now}'::text::timestamptz RETURNING a`,
      channel: f.channel,
      mainNodeId: 0,
      numBackends: 2,
      isCommit: false,
      settings,
    });
    expect(r.sql).toBe("UPDATE t SET ts = '2024-01-02 03:04:05+00'::text::timestamptz RETURNING a");
    expect(f.calls).toContain(`1:${r.sql}`);
    expect(names(r.frames)).toEqual(['rowDescription', 'dataRow', 'C UPDATE 1', 'Z I']);
  });

  it('COMMIT from the client: others first, main last', async () => {
    const commit: StatementClass = { ...cls, kind: 'session', counter: 'other', txEffect: 'commit' };
    const f = fakeChannel(() => null);
    const r = await executeReplicated({
      plan: planStatement(
        { targets: [0, 1, 2], replyFrom: 0, cls: commit, why: '', commitOrder: 'others_first' },
        { inTransaction: true },
        commit,
      )!,
      sql: 'COMMIT',
      channel: f.channel,
      mainNodeId: 0,
      numBackends: 3,
      isCommit: true,
      settings,
    });
    expect(f.calls).toEqual(['1:COMMIT', '2:COMMIT', '0:COMMIT']);
    expect(names(r.frames)).toEqual(['C COMMIT', 'Z I']);
  });
});

describe('insert lock steps', () => {
  it('row lock missing: the row is inserted under a table lock on the main node, then locked', async () => {
    const insert: StatementClass = { ...cls, counter: 'insert' };
    const f = fakeChannel(() => null);
    const plan = planStatement(
      { targets: [0, 1], replyFrom: 0, cls: insert, why: '' },
      { inTransaction: false },
      insert,
      {
        lock: [
          {
            sql: 'ROWLOCK',
            allNodes: false,
            whenNoRows: [
              { sql: 'TABLELOCK', allNodes: false },
              { sql: 'ROWLOCK', allNodes: false },
            ],
          },
        ],
      },
    )!;
    await executeReplicated({
      plan,
      sql: 'INSERT INTO t VALUES (1)',
      channel: f.channel,
      mainNodeId: 0,
      numBackends: 2,
      isCommit: false,
      settings,
    });
    expect(f.calls.slice(2, 5)).toEqual(['0:ROWLOCK', '0:TABLELOCK', '0:ROWLOCK']);
  });
});
