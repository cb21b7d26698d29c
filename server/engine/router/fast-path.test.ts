import { beforeAll, describe, expect, it } from 'vitest';
import { classifyWithParser, loadParser } from './classifier';
import { fastClassify } from './lexer';
import { seededRng } from './test-rng';

// Property check: whenever the lexical fast path answers, the parser agrees (kind, tables, no functions/catalogues).
const COLS = [
  'a',
  'b.c',
  '*',
  "'it''s'",
  "'for update'",
  '1',
  '$1',
  'current_timestamp',
  'a::text',
  'null',
  '"Q"',
  'foo_for',
  'into_x',
  "'a' || b",
];
const TABLES = ['t', 's.t', 'pg_class', '"Q"', 'tt x', 'u AS y', 'only z'];
const JOINS = [
  '',
  ' JOIN j ON j.a = t.a',
  ' LEFT JOIN k ON k.a = 1',
  ' CROSS JOIN m',
  ' NATURAL JOIN n',
  ', o',
  ', p.q r',
];
const TAILS = [
  '',
  ' WHERE a = $1 AND b IS NOT NULL',
  ' ORDER BY a LIMIT 1',
  ' GROUP BY a HAVING a > 1',
  ' FOR UPDATE',
  ' FOR SHARE',
  ' UNION SELECT a FROM q',
  ' FETCH FIRST 1 ROW ONLY',
  ' INTO zz',
  " WHERE a LIKE 'x%'",
];

describe('lexical fast path', () => {
  beforeAll(loadParser);

  it('agrees with the parser on 5,000 generated SELECTs', () => {
    const rng = seededRng(17);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
    let answered = 0;
    for (let k = 0; k < 5000; k++) {
      const from = rng() < 0.8 ? ` FROM ${pick(TABLES)}${pick(JOINS)}` : '';
      const sql = `SELECT ${pick(COLS)}, ${pick(COLS)}${from}${pick(TAILS)}${rng() < 0.25 ? ';' : ''}`;
      const fast = fastClassify(sql);
      if (!fast) continue;
      answered++;
      const slow = classifyWithParser(sql);
      expect({ sql, kind: fast.kind, tables: fast.tables }).toEqual({
        sql,
        kind: slow.kind,
        tables: slow.tables,
      });
      expect(slow.functions).toEqual([]);
      expect(slow.facts?.systemCatalog).toBe(false);
    }
    expect(answered).toBeGreaterThan(1000);
  });

  it('declines what it cannot be sure of', () => {
    for (const sql of [
      "SELECT nextval('s')",
      'SELECT * FROM t FOR UPDATE',
      'SELECT * INTO x FROM t',
      '/* c */ SELECT 1',
      "SELECT E'\\'' FROM t",
      'SELECT $$x$$',
      'SELECT 1; SELECT 2',
      'SELECT * FROM pg_class',
      'SELECT * FROM "T"',
      'SELECT * FROM t,',
    ]) {
      expect(fastClassify(sql), sql).toBeUndefined();
    }
  });
});
