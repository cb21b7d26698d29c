import { loadModule } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandComplete, errorResponse } from '../protocol/backend-builders';
import { bind, parse } from '../protocol/frontend-builders';
import {
  appendBindParam,
  decodeParse,
  dropLastParamType,
  encodeParse,
  executeOutcomes,
  maxParamRef,
  parameterizeNow,
} from './extended';
import { createTimestampRewriter } from './rewrite-timestamp';

/** Bind fields, decoded for the assertions. */
function readBind(b: Buffer): { formats: number[]; params: (string | null)[]; results: number[] } {
  let at = 5;
  at = b.indexOf(0, at) + 1;
  at = b.indexOf(0, at) + 1;
  const nf = b.readInt16BE(at);
  const formats = Array.from({ length: nf }, (_, i) => b.readInt16BE(at + 2 + 2 * i));
  at += 2 + 2 * nf;
  const np = b.readInt16BE(at);
  at += 2;
  const params: (string | null)[] = [];
  for (let i = 0; i < np; i++) {
    const len = b.readInt32BE(at);
    at += 4;
    params.push(len < 0 ? null : b.toString('utf8', at, at + len));
    at += Math.max(len, 0);
  }
  const nr = b.readInt16BE(at);
  const results = Array.from({ length: nr }, (_, i) => b.readInt16BE(at + 2 + 2 * i));
  expect(at + 2 + 2 * nr).toBe(b.length);
  expect(b.readInt32BE(1)).toBe(b.length - 1);
  return { formats, params, results };
}

describe('extended-protocol replication helpers', () => {
  beforeAll(async () => {
    await loadModule();
  });

  it('Parse round trip keeps the statement, text and parameter types', () => {
    const m = parse('s1', 'INSERT INTO t VALUES ($1, $2)', [23, 25]);
    const p = decodeParse(m);
    expect(p).toEqual({ statement: 's1', sql: 'INSERT INTO t VALUES ($1, $2)', paramTypes: [23, 25] });
    expect(encodeParse(p).equals(m)).toBe(true);
  });

  it("the time calls become one parameter after the statement's own ones", async () => {
    expect(maxParamRef("SELECT $1, $12, '$40'")).toBe(12);
    const rw = createTimestampRewriter();
    await rw.ready;
    const sql = 'INSERT INTO h (a, b, mtime) VALUES ($1, $2, CURRENT_TIMESTAMP)';
    const prepared = (await rw.prepare(sql, 'db'))!;
    expect(prepared.needsNow).toBe(true);
    const r = parameterizeNow(sql, [], (now) => prepared.rewrite(now));
    expect(r).toEqual({
      param: 3,
      sql: 'INSERT INTO h (a, b, mtime) VALUES ($1, $2, $3::text::timestamptz)',
    });
    // Declared types count even when the text uses fewer.
    expect(parameterizeNow(sql, [23, 23, 23, 23], (now) => prepared.rewrite(now)).param).toBe(5);
  });

  it('appendBindParam: text, one-binary-for-all and per-parameter format codes', () => {
    const text = appendBindParam(bind('', 's', ['1', null]), 3, '2026-11-22 04:00:00+00');
    expect(readBind(text)).toEqual({
      formats: [],
      params: ['1', null, '2026-11-22 04:00:00+00'],
      results: [],
    });
    // One binary format for all parameters: expanded so the added one stays text.
    const b = bind('p', 's', ['ab', 'cd']);
    const withFormat = Buffer.concat([b.subarray(0, 9), Buffer.from([0, 1, 0, 1]), b.subarray(11)]);
    withFormat.writeInt32BE(withFormat.length - 1, 1);
    const out = readBind(appendBindParam(withFormat, 3, 'now'));
    expect(out.formats).toEqual([1, 1, 0]);
    expect(out.params).toEqual(['ab', 'cd', 'now']);
    expect(() => appendBindParam(bind('', 's', ['1']), 3, 'x')).toThrow(/expected 2/);
  });

  it('ParameterDescription loses the added parameter; Execute outcomes in order', () => {
    const pd = Buffer.alloc(1 + 4 + 2 + 12);
    pd[0] = 0x74;
    pd.writeInt32BE(pd.length - 1, 1);
    pd.writeInt16BE(3, 5);
    pd.writeUInt32BE(23, 7);
    pd.writeUInt32BE(25, 11);
    pd.writeUInt32BE(25, 15);
    const t = dropLastParamType(pd);
    expect(t.readInt16BE(5)).toBe(2);
    expect(t.length).toBe(pd.length - 4);
    expect(t.readInt32BE(1)).toBe(t.length - 1);
    expect(
      executeOutcomes(1, [
        commandComplete('UPDATE 1'),
        errorResponse({ severity: 'ERROR', code: '23505', message: 'dup' }),
      ]),
    ).toEqual([
      { nodeId: 1, kind: 'C', tag: 'UPDATE 1' },
      { nodeId: 1, kind: 'E', error: 'dup' },
    ]);
  });
});
