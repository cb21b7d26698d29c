import { loadModule } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTimestampRewriter, rewriteTimestamps, type ColumnDefault } from './rewrite-timestamp';
import { findSites } from './timestamp-sites';

const NOW = '2024-05-06 07:08:09.123456+00';
const L = `'${NOW}'::text`;

beforeAll(async () => {
  await loadModule();
});

const rw = (sql: string, defaults: ColumnDefault[] = []): string => {
  const s = findSites(sql);
  if (!s) throw new Error('no sites');
  return rewriteTimestamps(sql, s, NOW, defaults);
};

describe('every time form (reference §4.3)', () => {
  it.each([
    ['now()', `${L}::timestamptz`],
    ['NOW( )', `${L}::timestamptz`],
    ['pg_catalog.now()', `${L}::timestamptz`],
    ['transaction_timestamp()', `${L}::timestamptz`],
    ['statement_timestamp()', `${L}::timestamptz`],
    ['CURRENT_TIMESTAMP', `${L}::timestamptz`],
    ['current_timestamp(3)', `${L}::timestamptz(3)`],
    ['CURRENT_DATE', `${L}::date`],
    ['CURRENT_TIME', `${L}::timetz`],
    ['CURRENT_TIME(2)', `${L}::timetz(2)`],
    ['LOCALTIME', `${L}::time`],
    ['LOCALTIME(0)', `${L}::time(0)`],
    ['LOCALTIMESTAMP', `${L}::timestamp`],
    ['LOCALTIMESTAMP ( 4 )', `${L}::timestamp(4)`],
  ])('%s', (call, lit) => {
    expect(rw(`INSERT INTO t (a) VALUES (${call})`)).toBe(`INSERT INTO t (a) VALUES (${lit})`);
  });

  it('UPDATE / DELETE, nested in expressions, non-ASCII text around', () => {
    expect(rw("UPDATE t SET ts = now() + interval '1 day', n = 'é' WHERE d < CURRENT_DATE")).toBe(
      `UPDATE t SET ts = ${L}::timestamptz + interval '1 day', n = 'é' WHERE d < ${L}::date`,
    );
    expect(rw("DELETE FROM t WHERE ts < now() - '1h'::interval")).toBe(
      `DELETE FROM t WHERE ts < ${L}::timestamptz - '1h'::interval`,
    );
  });

  it('leaves other functions and look-alikes alone', () => {
    const q = 'INSERT INTO t VALUES (myschema.now(), \'now()\', now(1), "now")';
    expect(rw(q)).toBe(q);
  });

  it('reports non-deterministic calls', () => {
    expect(
      findSites('INSERT INTO t VALUES (random(), gen_random_uuid(), clock_timestamp())')?.nondeterministic,
    ).toEqual(['random()', 'gen_random_uuid()', 'clock_timestamp()']);
  });

  it('ignores DDL and multi-statement strings', () => {
    expect(findSites('CREATE TABLE x (t timestamptz DEFAULT now())')).toBeNull();
    expect(findSites('INSERT INTO t VALUES (now()); SELECT 1')).toBeNull();
  });
});

describe('column defaults', () => {
  const defaults: ColumnDefault[] = [
    { column: 'id', defaultExpr: "nextval('t_id_seq'::regclass)", position: 1 },
    { column: 'created', defaultExpr: 'now()', position: 3 },
    { column: 'day', defaultExpr: 'CURRENT_DATE', position: 4 },
  ];
  it('omitted columns with a column list are added, for every row', () => {
    expect(rw("INSERT INTO t (id, v) VALUES (1, 'a'), (2, 'b')", defaults)).toBe(
      `INSERT INTO t (id, v, "created", "day") VALUES (1, 'a', ${L}::timestamptz, ${L}::date), (2, 'b', ${L}::timestamptz, ${L}::date)`,
    );
  });
  it('without a column list: rows extended positionally', () => {
    expect(rw('INSERT INTO t VALUES (1, 2)', defaults)).toBe(
      `INSERT INTO t VALUES (1, 2, ${L}::timestamptz, ${L}::date)`,
    );
    expect(rw('INSERT INTO t VALUES (1)', defaults)).toBe(
      `INSERT INTO t VALUES (1, DEFAULT, ${L}::timestamptz, ${L}::date)`,
    );
  });
  it('DEFAULT written for a time column is replaced, others kept', () => {
    expect(rw('INSERT INTO t (id, created, day) VALUES (DEFAULT, DEFAULT, now())', defaults)).toBe(
      `INSERT INTO t (id, created, day) VALUES (DEFAULT, ${L}::timestamptz, ${L}::timestamptz)`,
    );
    expect(rw('UPDATE t SET created = DEFAULT', defaults)).toBe(`UPDATE t SET created = ${L}::timestamptz`);
  });
  it('INSERT ... SELECT is not extended', () => {
    expect(rw('INSERT INTO t (id) SELECT 1', defaults)).toBe('INSERT INTO t (id) SELECT 1');
  });
});

describe('createTimestampRewriter', () => {
  it('fast path: no time words, no INSERT → null without parsing', async () => {
    const r = createTimestampRewriter();
    await r.ready;
    expect(await r.prepare('UPDATE t SET a = 1', 'db')).toBeNull();
  });

  it('looks up defaults once per table and database', async () => {
    const calls: string[] = [];
    const r = createTimestampRewriter({
      columnDefaults: (t, db) => {
        calls.push(`${db}:${t}`);
        return Promise.resolve([{ column: 'ts', defaultExpr: 'CURRENT_TIMESTAMP', position: 2 }]);
      },
    });
    await r.ready;
    const p = await r.prepare('INSERT INTO s.t (a) VALUES (1)', 'db');
    expect(p?.needsNow).toBe(true);
    expect(p?.rewrite(NOW)).toBe(`INSERT INTO s.t (a, "ts") VALUES (1, ${L}::timestamptz)`);
    await r.prepare('INSERT INTO s.t (a) VALUES (2)', 'db');
    expect(calls).toEqual(['db:s.t']);
    r.invalidate('db', 's.t');
    await r.prepare('INSERT INTO s.t (a) VALUES (3)', 'db');
    expect(calls).toHaveLength(2);
    expect(await r.prepare('INSERT INTO u (a) VALUES (1)', 'db')).not.toBeNull();
  });

  it('non-deterministic: warning by default, refusal when asked', async () => {
    const warn = createTimestampRewriter();
    await warn.ready;
    const w = await warn.prepare('UPDATE t SET r = random()', 'db');
    expect(w?.needsNow).toBe(false);
    expect(w?.warning?.message).toBe(
      'statement "UPDATE t SET r = random()" calls non-deterministic function(s) random(): the nodes may store different values',
    );
    const refuse = createTimestampRewriter({ nondeterministic: 'refuse' });
    const f = await refuse.prepare('INSERT INTO t VALUES (gen_random_uuid())', 'db');
    expect(f?.refusal).toMatchObject({ severity: 'ERROR', code: '0A000' });
    expect(f?.refusal?.message).toContain('"INSERT INTO t VALUES (gen_random_uuid())"');
  });
});
