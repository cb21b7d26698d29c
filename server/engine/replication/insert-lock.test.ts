import { loadModule } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInsertLocker, insertLockComment, insertTarget, lockStatements } from './insert-lock';

beforeAll(async () => {
  await loadModule();
});

function locker(opts: { insertLock?: boolean; serial?: string[]; lockTable?: boolean } = {}) {
  const calls: string[] = [];
  const l = createInsertLocker({
    insertLock: opts.insertLock ?? true,
    lookups: {
      hasNextvalDefault: (t, db) => {
        calls.push(`serial ${db} ${t}`);
        return Promise.resolve((opts.serial ?? ['t']).includes(t));
      },
      hasInsertLockTable: (db) => {
        calls.push(`table ${db}`);
        return Promise.resolve(opts.lockTable ?? false);
      },
    },
  });
  return { l, calls };
}

describe('insert_lock decisions (reference §4.3)', () => {
  it('comments at the start of the statement', () => {
    expect(insertLockComment('/*INSERT LOCK*/ INSERT INTO t VALUES (1)')).toBe('lock');
    expect(insertLockComment('  /* NO INSERT LOCK */INSERT INTO t VALUES (1)')).toBe('no_lock');
    expect(insertLockComment('INSERT /*NO INSERT LOCK*/ INTO t VALUES (1)')).toBeNull();
  });

  it('target names are quoted for to_regclass and LOCK TABLE', () => {
    expect(insertTarget('INSERT INTO s."My T" VALUES (1)')).toBe('s."My T"');
    expect(insertTarget('insert into T values (1)')).toBe('t');
    expect(insertTarget('UPDATE t SET a = 1')).toBeNull();
  });

  it('plain INSERT targets without a parse agree with the parser; anything else is parsed', () => {
    expect(insertTarget('INSERT INTO Public.Hist (a, b) VALUES (1, now());')).toBe('public.hist');
    expect(insertTarget('  insert into pgbench_history(tid) values (1)')).toBe('pgbench_history');
    expect(insertTarget('INSERT INTO t AS x VALUES (1) ;  ')).toBe('t');
    // A ';' inside: the parser decides (one statement with a literal, or two statements).
    expect(insertTarget("INSERT INTO t VALUES ('a;b')")).toBe('t');
    expect(insertTarget('INSERT INTO t VALUES (1); INSERT INTO u VALUES (2)')).toBeNull();
    expect(insertTarget('INSERT INTO "T" VALUES (1)')).toBe('"T"');
    expect(insertTarget('WITH w AS (SELECT 1) INSERT INTO t SELECT * FROM w')).toBe('t');
  });

  it('table with a nextval default: LOCK TABLE on every node when pgpool_catalog.insert_lock is absent', async () => {
    const { l, calls } = locker();
    const d = await l.decide('INSERT INTO t VALUES (1)', 'db');
    expect(d).toEqual({
      lock: true,
      why: 'insert_lock: table t has a nextval default',
      statements: [{ sql: 'LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE', allNodes: true }],
    });
    await l.decide('INSERT INTO t VALUES (2)', 'db');
    expect(calls).toEqual(['serial db t', 'table db']);
  });

  it('with pgpool_catalog.insert_lock: row lock on the main node, inserting the row if missing', async () => {
    const { l } = locker({ lockTable: true });
    const d = await l.decide('INSERT INTO t VALUES (1)', 'db');
    expect(d.statements).toHaveLength(1);
    expect(d.statements[0]).toMatchObject({
      sql: "SELECT 1 FROM pgpool_catalog.insert_lock WHERE reloid = pg_catalog.to_regclass('t') FOR UPDATE",
      allNodes: false,
    });
    expect(d.statements[0]!.whenNoRows!.map((s) => s.sql)).toEqual([
      'LOCK TABLE pgpool_catalog.insert_lock IN SHARE ROW EXCLUSIVE MODE',
      "INSERT INTO pgpool_catalog.insert_lock SELECT pg_catalog.to_regclass('t') WHERE NOT EXISTS (SELECT reloid FROM pgpool_catalog.insert_lock WHERE reloid = pg_catalog.to_regclass('t'))",
      "SELECT 1 FROM pgpool_catalog.insert_lock WHERE reloid = pg_catalog.to_regclass('t') FOR UPDATE",
    ]);
  });

  it.each([
    ['no nextval default', { serial: [] }, 'INSERT INTO t VALUES (1)', false],
    ['insert_lock off', { insertLock: false }, 'INSERT INTO t VALUES (1)', false],
    [
      '/*INSERT LOCK*/ with insert_lock off',
      { insertLock: false },
      '/*INSERT LOCK*/INSERT INTO u VALUES (1)',
      true,
    ],
    ['/*NO INSERT LOCK*/', {}, '/*NO INSERT LOCK*/ INSERT INTO t VALUES (1)', false],
    ['not an INSERT', {}, 'UPDATE t SET a = 1', false],
  ])('%s', async (_n, opts, sql, lock) => {
    expect((await locker(opts).l.decide(sql, 'db')).lock).toBe(lock);
  });

  it('/*INSERT LOCK*/ forces the table lock even with pgpool_catalog.insert_lock', () => {
    expect(lockStatements('t', false)).toEqual([
      { sql: 'LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE', allNodes: true },
    ]);
  });

  it('cache per database, invalidated', async () => {
    const { l, calls } = locker();
    await l.decide('INSERT INTO t VALUES (1)', 'a');
    await l.decide('INSERT INTO t VALUES (1)', 'b');
    l.invalidate('a');
    await l.decide('INSERT INTO t VALUES (1)', 'a');
    expect(calls.filter((c) => c.startsWith('serial'))).toEqual(['serial a t', 'serial b t', 'serial a t']);
  });
});
