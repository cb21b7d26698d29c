import { beforeAll, describe, expect, it } from 'vitest';
import { classifyWithParser, createClassifier, loadParser } from './classifier';
import { fastClassify } from './lexer';
import { testConfig } from './test-config';
import type { StatementClass } from './types';

type Row = [sql: string, kind: StatementClass['kind'], why: string | RegExp];

// Reference §4.4 "SR/logical routing" lists. `why` is a fragment of the expected reason.
const TABLE: Row[] = [
  // load-balanceable reads
  ['SELECT 1', 'read', 'SELECT'],
  ['select * from t', 'read', 'SELECT'],
  ['SELECT a, b FROM s.t WHERE a = 1 ORDER BY b LIMIT 10', 'read', 'SELECT'],
  ['SELECT * FROM t1 JOIN t2 ON t1.a = t2.a', 'read', 'SELECT'],
  ['SELECT * FROM t WHERE x IN (SELECT y FROM u)', 'read', 'SELECT'],
  ['SELECT count(*) FROM t', 'read', 'SELECT'],
  ['SELECT now()', 'read', 'SELECT'],
  ['SELECT CURRENT_TIMESTAMP', 'read', 'SELECT'],
  ["SELECT 'for update' FROM t", 'read', 'SELECT'],
  ["SELECT 'into x' AS s", 'read', 'SELECT'],
  ['SELECT * FROM "Foo"', 'read', 'SELECT'],
  ['SELECT * FROM "my table" t', 'read', 'SELECT'],
  ['SELECT 1 UNION SELECT 2 FROM v', 'read', 'SELECT'],
  ['SELECT 1 INTERSECT SELECT 2', 'read', 'SELECT'],
  ['(SELECT 1)', 'read', 'SELECT'],
  ['WITH x AS (SELECT 1) SELECT * FROM x', 'read', 'SELECT'],
  [
    'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r WHERE n < 5) SELECT * FROM r',
    'read',
    'SELECT',
  ],
  ['VALUES (1), (2)', 'read', 'VALUES'],
  ['TABLE t', 'read', 'SELECT'],
  ['SELECT * FROM t TABLESAMPLE SYSTEM (10)', 'read', 'SELECT'],
  ['SELECT * FROM generate_series(1, 3)', 'read', 'SELECT'],
  ['SELECT lower(name) FROM users WHERE id = $1', 'read', 'SELECT'],
  ['SELECT a::text FROM t', 'read', 'SELECT'],
  ['SELECT * FROM t WHERE a = $1', 'read', 'SELECT'],
  ['SELECT * FROM t FETCH FIRST 1 ROWS ONLY', 'read', 'SELECT'],
  ['SELECT DISTINCT ON (a) a FROM t', 'read', 'SELECT'],
  ['SELECT * FROM ONLY t', 'read', 'SELECT'],
  ['select * from t -- trailing comment', 'read', 'SELECT'],
  ['/* leading */ SELECT 1', 'read', 'SELECT'],
  ['  \n SELECT 1  ', 'read', 'SELECT'],
  ['SELECT 1;', 'read', 'SELECT'],
  ['COPY t TO STDOUT', 'read', 'COPY TO'],
  ['COPY (SELECT * FROM t) TO STDOUT', 'read', 'COPY (SELECT) TO'],
  ['COPY t (a, b) TO STDOUT WITH (FORMAT csv)', 'read', 'COPY TO'],
  ['SHOW search_path', 'read', 'SHOW'],
  ['SHOW ALL', 'read', 'SHOW'],
  ['EXPLAIN SELECT * FROM t', 'read', 'EXPLAIN'],
  ['EXPLAIN INSERT INTO t VALUES (1)', 'read', 'EXPLAIN'],
  ['EXPLAIN (ANALYZE false) SELECT 1', 'read', 'EXPLAIN'],
  ['EXPLAIN ANALYZE SELECT * FROM t', 'read', 'EXPLAIN ANALYZE of a read'],
  ['EXPLAIN (ANALYZE, BUFFERS) SELECT 1', 'read', 'EXPLAIN ANALYZE of a read'],
  ['PREPARE q AS SELECT * FROM t WHERE a = $1', 'read', 'PREPARE q'],
  // writes → primary
  ['INSERT INTO t VALUES (1)', 'write', 'INSERT'],
  ['insert into s.t (a) select a from u', 'write', 'INSERT'],
  ['INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING', 'write', 'INSERT'],
  ['INSERT INTO t VALUES (1) RETURNING *', 'write', 'INSERT'],
  ['UPDATE t SET a = 1', 'write', 'UPDATE'],
  ['UPDATE "T" SET a = a + 1 WHERE b IN (SELECT b FROM u)', 'write', 'UPDATE'],
  ['DELETE FROM t WHERE a = 1', 'write', 'DELETE'],
  ['DELETE FROM t USING u WHERE t.a = u.a', 'write', 'DELETE'],
  ['MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE', 'write', 'MERGE'],
  ['COPY t FROM STDIN', 'write', 'COPY FROM'],
  ["COPY t FROM '/tmp/x.csv' WITH (FORMAT csv)", 'write', 'COPY FROM'],
  ['COPY (INSERT INTO t VALUES (1) RETURNING a) TO STDOUT', 'write', 'COPY (data-modifying query)'],
  ['TRUNCATE t', 'write', 'DDL (Truncate)'],
  ['TRUNCATE TABLE a, b CASCADE', 'write', 'DDL (Truncate)'],
  ['SELECT * INTO t2 FROM t', 'write', 'SELECT INTO'],
  ['SELECT * INTO TEMP t3 FROM t', 'write', 'SELECT INTO'],
  ['SELECT * FROM t FOR UPDATE', 'write', 'FOR UPDATE/SHARE'],
  ['SELECT * FROM t FOR SHARE', 'write', 'FOR UPDATE/SHARE'],
  ['SELECT * FROM t FOR NO KEY UPDATE', 'write', 'FOR UPDATE/SHARE'],
  ['SELECT * FROM t FOR KEY SHARE SKIP LOCKED', 'write', 'FOR UPDATE/SHARE'],
  ['SELECT * FROM (SELECT * FROM t FOR UPDATE) s', 'write', 'FOR UPDATE/SHARE'],
  ['select * from t for update nowait', 'write', 'FOR UPDATE/SHARE'],
  ['WITH x AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM x', 'write', 'data-modifying CTE'],
  ['WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d', 'write', 'data-modifying CTE'],
  ['WITH u AS (UPDATE t SET a = 1 RETURNING a) SELECT 1', 'write', 'data-modifying CTE'],
  [
    'WITH a AS (SELECT 1), b AS (INSERT INTO t SELECT * FROM a RETURNING 1) SELECT * FROM b',
    'write',
    'data-modifying CTE',
  ],
  ['EXPLAIN ANALYZE INSERT INTO t VALUES (1)', 'write', 'EXPLAIN ANALYZE executes it: INSERT'],
  ['EXPLAIN (ANALYZE true) DELETE FROM t', 'write', 'EXPLAIN ANALYZE executes it: DELETE'],
  ['EXPLAIN ANALYZE SELECT * FROM t FOR UPDATE', 'write', 'EXPLAIN ANALYZE executes it'],
  ['CREATE TABLE t (a int)', 'write', 'DDL (Create)'],
  ['CREATE TEMP TABLE tt (a int)', 'write', 'DDL (Create)'],
  ['CREATE UNLOGGED TABLE u (a int)', 'write', 'DDL (Create)'],
  ['CREATE TABLE t2 AS SELECT * FROM t', 'write', 'DDL (CreateTableAs)'],
  ['CREATE INDEX i ON t (a)', 'write', 'DDL (Index)'],
  ['CREATE INDEX CONCURRENTLY i ON t (a)', 'write', 'DDL (Index)'],
  ['CREATE VIEW v AS SELECT * FROM t', 'write', 'DDL (View)'],
  ['CREATE SEQUENCE s', 'write', 'DDL (CreateSeq)'],
  ['CREATE SCHEMA s', 'write', 'DDL (CreateSchema)'],
  ["CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql", 'write', 'DDL (CreateFunction)'],
  ['ALTER TABLE t ADD COLUMN b int', 'write', 'DDL (AlterTable)'],
  ['ALTER TABLE t RENAME TO t9', 'write', 'DDL (Rename)'],
  ['DROP TABLE t', 'write', 'DDL (Drop)'],
  ['DROP TABLE IF EXISTS a, b', 'write', 'DDL (Drop)'],
  ['GRANT SELECT ON t TO bob', 'write', 'DDL (Grant)'],
  ["COMMENT ON TABLE t IS 'x'", 'write', 'DDL (Comment)'],
  ['CREATE EXTENSION pgpool_recovery', 'write', 'DDL (CreateExtension)'],
  ['LOCK TABLE t', 'write', 'LOCK >= ROW EXCLUSIVE'],
  ['LOCK TABLE t IN ROW EXCLUSIVE MODE', 'write', 'LOCK >= ROW EXCLUSIVE'],
  ['LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE', 'write', 'LOCK >= ROW EXCLUSIVE'],
  ['LOCK TABLE t IN ACCESS EXCLUSIVE MODE', 'write', 'LOCK >= ROW EXCLUSIVE'],
  ["PREPARE TRANSACTION 'gx'", 'write', '2PC PREPARE TRANSACTION'],
  ["COMMIT PREPARED 'gx'", 'write', '2PC COMMIT PREPARED'],
  ["ROLLBACK PREPARED 'gx'", 'write', '2PC ROLLBACK PREPARED'],
  ['SET transaction_read_only = off', 'write', 'transaction_read_only = off'],
  ['SET transaction_read_only TO false', 'write', 'transaction_read_only = off'],
  ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'write', 'SERIALIZABLE'],
  ['SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'write', 'SERIALIZABLE'],
  ["SET default_transaction_isolation = 'serializable'", 'write', 'SERIALIZABLE'],
  ["SET transaction_isolation TO 'serializable'", 'write', 'SERIALIZABLE'],
  ['SET TRANSACTION READ WRITE', 'write', 'SET TRANSACTION READ WRITE'],
  ['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', 'write', 'SET TRANSACTION READ WRITE'],
  ['EXECUTE q(1)', 'write', 'EXECUTE'],
  ['DEALLOCATE q', 'write', 'DEALLOCATE'],
  ['DEALLOCATE ALL', 'write', 'DEALLOCATE'],
  ['PREPARE w AS INSERT INTO t VALUES ($1)', 'write', 'PREPARE w: INSERT'],
  ['LISTEN chan', 'write', 'Listen'],
  ['UNLISTEN *', 'write', 'Unlisten'],
  ["NOTIFY chan, 'x'", 'write', 'Notify'],
  ['VACUUM t', 'write', 'Vacuum'],
  ['VACUUM ANALYZE', 'write', 'Vacuum'],
  ['ANALYZE t', 'write', 'Vacuum'],
  ['CHECKPOINT', 'write', 'CheckPoint'],
  ['-- only a comment', 'write', 'empty query'],
  ['DO $$BEGIN PERFORM 1; END$$', 'write', 'Do'],
  ['CALL p(1)', 'write', 'Call'],
  ['DECLARE c CURSOR FOR SELECT 1', 'write', 'DeclareCursor'],
  ['FETCH 10 FROM c', 'write', 'Fetch'],
  ['CLOSE c', 'write', 'Close'],
  ['REINDEX TABLE t', 'write', 'DDL (Reindex)'],
  ['CLUSTER t USING i', 'write', 'DDL (Cluster)'],
  ['SELECT 1; SELECT 2', 'write', 'multi-statement'],
  ['BEGIN; INSERT INTO t VALUES (1); COMMIT', 'write', 'multi-statement'],
  ['SELEC 1', 'write', 'unparseable'],
  ['this is not sql', 'write', 'unparseable'],
  ["SELECT 'unterminated", 'write', 'unparseable'],
  ['PGPOOL FROB', 'write', 'unparseable'],
  ['', 'write', 'empty query'],
  // session: primary and LB node
  ['BEGIN', 'session', 'transaction start'],
  ['begin;', 'session', 'transaction start'],
  ['BEGIN READ WRITE', 'session', 'transaction start'],
  ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'session', 'transaction start'],
  ['START TRANSACTION READ ONLY', 'session', 'transaction start'],
  ['START TRANSACTION', 'session', 'transaction start'],
  ['COMMIT', 'session', 'COMMIT'],
  ['END', 'session', 'COMMIT'],
  ['COMMIT AND CHAIN', 'session', 'COMMIT'],
  ['ROLLBACK', 'session', 'ROLLBACK'],
  ['ABORT', 'session', 'ROLLBACK'],
  ['SAVEPOINT s1', 'session', 'savepoint'],
  ['RELEASE SAVEPOINT s1', 'session', 'savepoint'],
  ['ROLLBACK TO SAVEPOINT s1', 'session', 'savepoint'],
  ["SET search_path = 'x'", 'session', 'SET'],
  ['SET LOCAL statement_timeout = 0', 'session', 'SET'],
  ['SET transaction_read_only = on', 'session', 'SET'],
  ['SET TRANSACTION READ ONLY', 'session', 'SET'],
  ['SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', 'session', 'SET'],
  ['RESET ALL', 'session', 'RESET'],
  ['RESET search_path', 'session', 'RESET'],
  ['DISCARD ALL', 'session', 'DISCARD'],
  ['DISCARD TEMP', 'session', 'DISCARD'],
  ['LOCK TABLE t IN ACCESS SHARE MODE', 'session', 'LOCK < ROW EXCLUSIVE'],
  ['LOCK TABLE t IN ROW SHARE MODE', 'session', 'LOCK < ROW EXCLUSIVE'],
];

describe('classifier table (reference §4.4)', () => {
  beforeAll(loadParser);
  const classifier = createClassifier({ config: testConfig() });

  it(`has at least 120 statements`, () => expect(TABLE.length).toBeGreaterThanOrEqual(120));

  it.each(TABLE)('%j → %s', (sql, kind, why) => {
    const cls = classifier.base(sql);
    expect(cls.kind, cls.why).toBe(kind);
    expect(cls.why).toMatch(why);
  });

  it('the fast path, when it answers, agrees with the parser', () => {
    let answered = 0;
    for (const [sql] of TABLE) {
      const fast = fastClassify(sql);
      if (!fast) continue;
      answered++;
      const slow = classifyWithParser(sql);
      expect({ sql, kind: fast.kind, tx: fast.txEffect, tables: fast.tables }).toEqual({
        sql,
        kind: slow.kind,
        tx: slow.txEffect,
        tables: slow.tables,
      });
      expect(slow.functions).toEqual([]);
      expect(slow.facts?.systemCatalog ?? false).toBe(false);
    }
    expect(answered).toBeGreaterThan(8);
  });
});

describe('classifier facts', () => {
  beforeAll(loadParser);
  const classifier = createClassifier({ config: testConfig() });

  it('collects tables as written (qualified, quoted) and skips CTE names', () => {
    expect(classifier.base('SELECT * FROM s.t JOIN "Foo" ON true, bar').tables).toEqual([
      's.t',
      'Foo',
      'bar',
    ]);
    expect(classifier.base('WITH x AS (SELECT * FROM real_t) SELECT * FROM x').tables).toEqual(['real_t']);
    expect(classifier.base('select a from t1, t2 x join t3 on x.a = t3.a').tables).toEqual([
      't1',
      't2',
      't3',
    ]);
  });

  it('collects functions as written and counters', () => {
    const c = classifier.base('SELECT public.f2(a), f1() FROM t WHERE g(1) > 0');
    expect(c.functions).toEqual(['public.f2', 'f1', 'g']);
    expect(classifier.base('UPDATE t SET a = 1').counter).toBe('update');
    expect(classifier.base('CREATE TABLE x (a int)').counter).toBe('ddl');
    expect(classifier.base('SELECT 1').counter).toBe('select');
  });

  it('system catalogues: pg_catalog.* and pg_* relations', () => {
    expect(classifier.base('SELECT * FROM pg_class').facts?.systemCatalog).toBe(true);
    expect(classifier.base('SELECT * FROM pg_catalog.pg_namespace n').facts?.systemCatalog).toBe(true);
    expect(
      classifier.base('SELECT * FROM t WHERE a IN (SELECT oid FROM pg_stat_activity)').facts?.systemCatalog,
    ).toBe(true);
    expect(classifier.base('SELECT * FROM page_views').facts?.systemCatalog).toBe(false);
  });

  it('transaction effects and serializable', () => {
    expect(classifier.base('BEGIN').txEffect).toBe('begin');
    expect(classifier.base('COMMIT').txEffect).toBe('commit');
    expect(classifier.base('ROLLBACK').txEffect).toBe('rollback');
    expect(classifier.base("PREPARE TRANSACTION 'x'").txEffect).toBe('prepare');
    expect(classifier.base('BEGIN ISOLATION LEVEL SERIALIZABLE').facts?.setsSerializable).toBe(true);
    expect(classifier.base('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE').facts?.setsSerializable).toBe(
      true,
    );
  });

  it('temp-table tracking facts', () => {
    expect(classifier.base('CREATE TEMP TABLE tt (a int)').facts?.createsTempTables).toEqual(['tt']);
    expect(classifier.base('CREATE TEMPORARY TABLE t2 AS SELECT 1').facts?.createsTempTables).toEqual(['t2']);
    expect(classifier.base('CREATE TABLE p (a int)').facts?.createsTempTables).toBeUndefined();
    expect(classifier.base('SELECT 1 AS a INTO TEMP t3').facts?.createsTempTables).toEqual(['t3']);
    expect(classifier.base('SELECT 1 AS a INTO t4').facts?.createsTempTables).toBeUndefined();
    expect(classifier.base('DROP TABLE a, s.b').facts?.dropsTables).toEqual(['a', 's.b']);
  });

  it('pgpool admin statements are detected before the parser', () => {
    expect(classifier.base('SHOW pool_nodes').admin).toEqual({ command: 'pool_nodes', args: [] });
    expect(classifier.base('show POOL_STATUS;').admin).toEqual({ command: 'pool_status', args: [] });
    expect(classifier.base('PGPOOL SHOW ALL').admin).toEqual({ command: 'pgpool_show', args: ['all'] });
    expect(classifier.base('pgpool show client_idle_limit').admin).toEqual({
      command: 'pgpool_show',
      args: ['client_idle_limit'],
    });
    expect(classifier.base('PGPOOL SET client_idle_limit = 10').admin).toEqual({
      command: 'pgpool_set',
      args: ['client_idle_limit', '10'],
    });
    expect(classifier.base("PGPOOL SET log_min_messages TO 'debug1'").admin).toEqual({
      command: 'pgpool_set',
      args: ['log_min_messages', 'debug1'],
    });
    expect(classifier.base('PGPOOL RESET ALL').admin).toEqual({ command: 'pgpool_reset', args: ['all'] });
    expect(classifier.base('SHOW pool_other').admin).toBeUndefined();
    expect(classifier.base('SHOW pool_nodes; SELECT 1').admin).toBeUndefined();
  });
});
