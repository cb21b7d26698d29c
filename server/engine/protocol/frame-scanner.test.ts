import { describe, expect, it } from 'vitest';
import { BackendType } from './constants';
import * as be from './backend-builders';
import * as fe from './frontend-builders';
import { FrameScanner, ProtocolError, type FrameHandler } from './frame-scanner';
import { decodeFrontend, decodeStartupPacket } from './messages';
import { BackendMessageParser, StartupPacketReader } from './message-parser';

/** A realistic backend reply stream built from the serializers (never hand-typed bytes). */
function replyStream(): Buffer[] {
  return [
    be.parameterStatus('server_version', '15.18'),
    be.backendKeyData(1234, 5678),
    be.rowDescription([{ name: 'a' }, { name: 'b', typeOid: 23 }]),
    be.dataRow(['x', null]),
    be.dataRow([Buffer.alloc(300, 7), '42']),
    be.commandComplete('SELECT 2'),
    be.errorResponse({ severity: 'ERROR', code: '42P01', message: 'relation "t" does not exist' }),
    be.readyForQuery('I'),
  ];
}

/** Collects (type, bytes) of each message, joining streamed pieces. */
function collector(streamTypes: Set<number>, prefix = 5): { handler: FrameHandler; got: Buffer[] } {
  const got: Buffer[] = [];
  let parts: Buffer[] = [];
  const handler: FrameHandler = {
    prefixWanted: (type, total) => (streamTypes.has(type) ? prefix : total),
    onMessage: (_t, buf, s, e) => got.push(Buffer.from(buf.subarray(s, e))),
    onPiece: (_t, buf, s, e, first, last) => {
      if (first) {
        expect(e - s).toBeGreaterThanOrEqual(Math.min(prefix, e - s));
        parts = [];
      }
      parts.push(Buffer.from(buf.subarray(s, e)));
      if (last) got.push(Buffer.concat(parts));
    },
  };
  return { handler, got };
}

function feedSplits(all: Buffer, cuts: number[], h: FrameHandler): void {
  const sc = new FrameScanner(h);
  let prev = 0;
  for (const c of [...cuts, all.length]) {
    sc.push(all.subarray(prev, c));
    prev = c;
  }
  expect(sc.atBoundary).toBe(true);
}

describe('FrameScanner', { timeout: 30_000 }, () => {
  const msgs = replyStream();
  const all = Buffer.concat(msgs);

  it('delivers every message whole at every single split point', () => {
    for (let cut = 0; cut <= all.length; cut++) {
      const { handler, got } = collector(new Set());
      feedSplits(all, [cut], handler);
      expect(got).toEqual(msgs);
    }
  });

  it('streams DataRows as pieces at every split point, pieces join to the original', () => {
    for (const prefix of [5, 9]) {
      for (let cut = 0; cut <= all.length; cut++) {
        const { handler, got } = collector(new Set([BackendType.DataRow]), prefix);
        feedSplits(all, [cut], handler);
        expect(got).toEqual(msgs);
      }
    }
  });

  it('survives byte-at-a-time delivery and every pair of split points on a short stream', () => {
    const short = Buffer.concat([be.dataRow(['ab']), be.readyForQuery('T')]);
    const expected = [be.dataRow(['ab']), be.readyForQuery('T')];
    for (let a = 0; a <= short.length; a++)
      for (let b = a; b <= short.length; b++) {
        for (const stream of [new Set<number>(), new Set([BackendType.DataRow])]) {
          const { handler, got } = collector(stream);
          feedSplits(short, [a, b], handler);
          expect(got).toEqual(expected);
        }
      }
    const { handler, got } = collector(new Set([BackendType.DataRow]));
    feedSplits(
      all,
      Array.from({ length: all.length }, (_, i) => i),
      handler,
    );
    expect(got).toEqual(msgs);
  });

  it('refuses a claimed 1 GB length before buffering, and lengths below 4', () => {
    const h = collector(new Set()).handler;
    const huge = Buffer.from(fe.query('x'));
    huge.writeInt32BE(0x40000000, 1);
    expect(() => new FrameScanner(h).push(huge)).toThrow(ProtocolError);
    const small = Buffer.from(fe.sync());
    small.writeInt32BE(3, 1);
    expect(() => new FrameScanner(h).push(small)).toThrow(/invalid message length/);
    const limited = new FrameScanner(h, 1000);
    expect(() => limited.push(fe.query('y'.repeat(2000)))).toThrow(/exceeds the limit/);
  });
});

describe('decoders', () => {
  it('round-trips backend messages', () => {
    const p = new BackendMessageParser();
    const out = p.push(Buffer.concat(replyStream()));
    expect(out.map((m) => m.name)).toEqual([
      'parameterStatus',
      'backendKeyData',
      'rowDescription',
      'dataRow',
      'dataRow',
      'commandComplete',
      'errorResponse',
      'readyForQuery',
    ]);
    expect(out[1]).toEqual({ name: 'backendKeyData', pid: 1234, key: 5678 });
    const err = out[6];
    expect(err?.name === 'errorResponse' && err.fields.code).toBe('42P01');
    expect(out[7]).toEqual({ name: 'readyForQuery', status: 'I' });
  });

  it('decodes frontend messages the session routes on', () => {
    const dec = (b: Buffer) => decodeFrontend(b, 0, b.length);
    expect(dec(fe.query('select 1'))).toEqual({ name: 'query', sql: 'select 1' });
    expect(dec(fe.parse('s1', 'select $1', [23]))).toEqual({
      name: 'parse',
      statement: 's1',
      sql: 'select $1',
    });
    expect(dec(fe.bind('p', 's1', ['1']))).toEqual({ name: 'bind', portal: 'p', statement: 's1' });
    expect(dec(fe.describe('S', 's1'))).toEqual({ name: 'describe', kind: 'S', target: 's1' });
    expect(dec(fe.execute('p', 10))).toEqual({ name: 'execute', portal: 'p', maxRows: 10 });
  });

  it('reads startup-phase packets at every split point and refuses oversized ones', () => {
    const pkt = Buffer.concat([fe.startupMessage({ user: 'u', database: 'd' }), fe.query('x')]);
    for (let cut = 0; cut <= pkt.length; cut++) {
      const r = new StartupPacketReader();
      let res = r.push(pkt.subarray(0, cut));
      let rest: Buffer;
      if (res) rest = Buffer.concat([res.rest, pkt.subarray(cut)]);
      else {
        res = r.push(pkt.subarray(cut));
        rest = res!.rest;
      }
      const d = decodeStartupPacket(res!.packet, 0, res!.packet.length);
      expect(d.name === 'startup' && Object.fromEntries(d.params)).toEqual({ user: 'u', database: 'd' });
      expect(rest).toEqual(fe.query('x'));
    }
    expect(decodeStartupPacket(fe.sslRequest(), 0, 8)).toEqual({ name: 'sslRequest' });
    expect(decodeStartupPacket(fe.cancelRequest(7, 9), 0, 16)).toEqual({
      name: 'cancelRequest',
      pid: 7,
      key: 9,
    });
    const big = fe.startupMessage({ user: 'u'.repeat(20_000) });
    expect(() => new StartupPacketReader().push(big)).toThrow(/invalid length of startup packet/);
  });
});
