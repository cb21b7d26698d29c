import { describe, expect, it } from 'vitest';
import {
  arraySizeInt32,
  arraySizeString,
  atoi,
  commandComplete,
  cstrings,
  errorPacket,
  frame,
  MAX_PCP_PACKET_LENGTH,
  nodeIdPayload,
  parseErrorFields,
  PcpPacketReader,
  promotePayload,
  splitCStrings,
  stringsPacket,
  type PcpPacket,
} from './codec';

/** Fixture builder: a frame from its type and its strings (so tests never hand-type byte arrays). */
const pkt = (type: string, ...strings: string[]): Buffer => stringsPacket(type, strings);

function readAll(reader: PcpPacketReader): PcpPacket[] {
  const out: PcpPacket[] = [];
  for (;;) {
    const p = reader.next();
    if (p === null) return out;
    if ('error' in p) throw new Error(`bad length ${p.length}`);
    out.push(p);
  }
}

describe('framing', () => {
  it('length counts itself and the payload, not the type byte', () => {
    expect(frame('M').toString('hex')).toBe('4d00000004');
    expect(frame('I', nodeIdPayload(1)).toString('hex')).toBe('49000000063100');
    expect(frame('I', nodeIdPayload(-1)).toString('hex')).toBe('49000000072d3100');
  });

  it('parses a stream split at every byte boundary identically', () => {
    const stream = Buffer.concat([
      frame('M'),
      pkt('R', 'postgres', '107d5d2a265f1882c324bdfa9e928dac'),
      frame('L'),
      frame('J', promotePayload(1, true)),
      frame('Z', Buffer.from('l')),
      frame('X'),
    ]);
    const whole = readAll(
      (() => {
        const r = new PcpPacketReader();
        r.push(stream);
        return r;
      })(),
    );
    expect(whole.map((p) => p.type).join('')).toBe('MRLJZX');
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 7) {
        const r = new PcpPacketReader();
        const got: PcpPacket[] = [];
        for (const part of [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]) {
          r.push(part);
          got.push(...readAll(r));
        }
        expect(got).toEqual(whole);
      }
    }
  });

  it('refuses lengths >= 260 and < 4 before reading the payload', () => {
    const lengthOnly = (type: string, length: number): Buffer => {
      const b = Buffer.alloc(5);
      b.write(type, 0, 'latin1');
      b.writeInt32BE(length, 1);
      return b;
    };
    for (const bad of [MAX_PCP_PACKET_LENGTH, 0x40000000, 3, 0, -1]) {
      const r = new PcpPacketReader();
      r.push(lengthOnly('L', bad));
      expect(r.next()).toEqual({ error: 'bad_length', type: 'L', length: bad });
    }
    const r = new PcpPacketReader();
    r.push(lengthOnly('R', MAX_PCP_PACKET_LENGTH - 1));
    expect(r.next()).toBeNull(); // legal length, waits for the payload
  });

  it('replies may be larger than requests when the reader allows it', () => {
    const big = pkt('w', 'CommandComplete', 'x'.repeat(1000));
    const r = new PcpPacketReader(1 << 20);
    r.push(big);
    expect(readAll(r).map((p) => splitCStrings(p.payload)[1]?.length)).toEqual([1000]);
  });
});

describe('payload helpers', () => {
  it('atoi reads like C', () => {
    expect(atoi('12')).toBe(12);
    expect(atoi('  -1')).toBe(-1);
    expect(atoi('1 ')).toBe(1);
    expect(atoi('abc')).toBe(0);
    expect(atoi('')).toBe(0);
    expect(atoi('99999999999')).toBe(2147483647);
  });

  it('promote payload is "<id> \\0" then the option byte', () => {
    expect(frame('J', promotePayload(1, true)).toString('hex')).toBe('4a00000008312000' + '73');
    expect(frame('J', promotePayload(0, false)).toString('hex')).toBe('4a00000008302000' + '6e');
  });

  it('splits NUL-terminated strings', () => {
    expect(splitCStrings(cstrings(['a', '', 'bc']))).toEqual(['a', '', 'bc']);
  });

  it('ArraySize: decimal string for i/p, binary int32 for b', () => {
    expect(arraySizeString('i', 1)).toEqual(pkt('i', 'ArraySize', '1'));
    const b = arraySizeInt32('b', 152);
    expect(b.subarray(0, 5).toString('hex')).toBe('6200000012');
    expect(b.subarray(-4).toString('hex')).toBe('00000098');
  });
});

describe('error packets', () => {
  it('end with an extra NUL and round-trip', () => {
    const e = errorPacket({ severity: 'ERROR', message: 'm', detail: 'd' });
    expect(e[0]).toBe(0x45);
    expect(e.subarray(-2).toString('hex')).toBe('0000');
    expect(parseErrorFields(e.subarray(5))).toEqual({
      severity: 'ERROR',
      code: 'XX000',
      message: 'm',
      detail: 'd',
    });
  });

  it('truncates each field to 256 bytes', () => {
    const e = errorPacket({ severity: 'ERROR', message: 'x'.repeat(1000) });
    expect(parseErrorFields(e.subarray(5)).message).toHaveLength(256);
  });

  it('notices use N', () => {
    expect(String.fromCharCode(errorPacket({ severity: 'NOTICE', message: 'n' })[0]!)).toBe('N');
  });

  it('CommandComplete with extra strings', () => {
    expect(commandComplete('l', ['2'])).toEqual(pkt('l', 'CommandComplete', '2'));
  });
});
