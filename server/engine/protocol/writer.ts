/**
 * Message builder used by the serializers: accumulates fields, then frames them with the type byte and the int32
 * length (protocol-overview "Messaging Overview"). Builders are off the relay hot path (they create protocol
 * messages pgwarden originates), so clarity wins over pooling here.
 */
export class MessageWriter {
  private buf: Buffer;
  private pos = 5;

  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 16));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  /** A NUL-terminated UTF-8 string ("String" in the docs). */
  cstring(s: string): this {
    const n = Buffer.byteLength(s);
    this.ensure(n + 1);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    this.buf[this.pos++] = 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Frames as a typed message; `type` null frames an untyped startup-phase packet (no type byte). */
  finish(type: number | null): Buffer {
    if (type === null) {
      const out = this.buf.subarray(1, this.pos);
      out.writeInt32BE(out.length, 0);
      return Buffer.from(out);
    }
    this.buf[0] = type;
    this.buf.writeInt32BE(this.pos - 1, 1);
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** Sequential reader over buf[start, end) for decoding message bodies. */
export class MessageReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get left(): number {
    return this.end - this.pos;
  }

  int8(): number {
    if (this.pos + 1 > this.end) throw new RangeError('message truncated');
    return this.buf[this.pos++]!;
  }

  int16(): number {
    if (this.pos + 2 > this.end) throw new RangeError('message truncated');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    if (this.pos + 4 > this.end) throw new RangeError('message truncated');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  cstring(): string {
    const nul = this.buf.indexOf(0, this.pos);
    if (nul < 0 || nul >= this.end) throw new RangeError('unterminated string');
    const s = this.buf.toString('utf8', this.pos, nul);
    this.pos = nul + 1;
    return s;
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.end) throw new RangeError('message truncated');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  rest(): Buffer {
    const b = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return b;
  }
}
