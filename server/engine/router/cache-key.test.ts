import { describe, expect, test } from 'vitest';
import { classCacheKey } from './cache-key';
import { classifyWithParser, loadParser } from './classifier';

describe('classCacheKey', () => {
  test('statements that differ only in literal values share a key', () => {
    const a = classCacheKey('UPDATE pgbench_accounts SET abalance = abalance + 4211 WHERE aid = 71;');
    const b = classCacheKey('UPDATE pgbench_accounts SET abalance = abalance + 17 WHERE aid = 9003;');
    expect(a).toBe(b);
    expect(classCacheKey("SELECT * FROM t WHERE s = 'it''s'")).toBe(
      classCacheKey("SELECT * FROM t WHERE s = 'x'"),
    );
    expect(classCacheKey('INSERT INTO h (tid, delta) VALUES (1, 2.5)')).toBe(
      classCacheKey('INSERT INTO h (tid, delta) VALUES (9, 0.25)'),
    );
  });

  test('identifiers, quoted names and value-sensitive statements keep their text', () => {
    expect(classCacheKey('SELECT * FROM t1 WHERE c2 = 3')).toBe('SELECT * FROM t1 WHERE c2 = ?');
    expect(classCacheKey('SELECT * FROM "t 1"')).toBe('SELECT * FROM "t 1"');
    const set = "SET default_transaction_isolation = 'serializable'";
    expect(classCacheKey(set)).toBe(set);
    const dollar = 'SELECT $$a$$';
    expect(classCacheKey(dollar)).toBe(dollar);
    const e = "SELECT E'\\n' FROM t";
    expect(classCacheKey(e)).toBe(e);
    const comment = "SELECT 1 -- it's";
    expect(classCacheKey(comment)).toBe(comment);
  });

  test('statements sharing a key are classified alike by the parser', async () => {
    await loadParser();
    const pairs = [
      ["SELECT nextval('a')", "SELECT nextval('b')"],
      ['SELECT * FROM t WHERE id = 1 FOR UPDATE', 'SELECT * FROM t WHERE id = 2 FOR UPDATE'],
      ["SELECT * FROM t WHERE x = 'for update'", "SELECT * FROM t WHERE x = 'y'"],
      [
        'WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d',
        'WITH d AS (DELETE FROM t WHERE id = 5 RETURNING *) SELECT * FROM d',
      ],
    ] as const;
    for (const [a, b] of pairs) {
      expect(classCacheKey(a)).toBe(classCacheKey(b));
      const ca = classifyWithParser(a);
      const cb = classifyWithParser(b);
      expect([ca.kind, ca.counter, ca.tables, ca.functions]).toEqual([
        cb.kind,
        cb.counter,
        cb.tables,
        cb.functions,
      ]);
    }
  });
});
