/**
 * Whole-message parsers built on the FrameScanner, for the cold paths (startup, authentication, tests): every
 * message is delivered contiguous and decoded. The relay hot path uses FrameScanner directly instead.
 */
import { MAX_STARTUP_PACKET_LENGTH } from './constants';
import { FrameScanner, ProtocolError } from './frame-scanner';
import { decodeBackend, type BackendMessage } from './messages';

/** Raw whole messages: type and a stable copy-free view (valid as long as the caller keeps it). */
export interface RawMessage {
  type: number;
  buf: Buffer;
  start: number;
  end: number;
}

export class RawMessageParser {
  private readonly out: RawMessage[] = [];
  private readonly scanner: FrameScanner;

  constructor(maxLength?: number) {
    this.scanner = new FrameScanner(
      {
        prefixWanted: (_t, total) => total,
        onMessage: (type, buf, start, end) => this.out.push({ type, buf, start, end }),
        onPiece: () => undefined,
      },
      maxLength,
    );
  }

  get atBoundary(): boolean {
    return this.scanner.atBoundary;
  }

  /** Returns the whole messages completed by this chunk. */
  push(chunk: Buffer): RawMessage[] {
    this.scanner.push(chunk);
    return this.out.splice(0);
  }
}

export class BackendMessageParser {
  private readonly raw = new RawMessageParser();

  push(chunk: Buffer): BackendMessage[] {
    return this.raw.push(chunk).map((m) => decodeBackend(m.buf, m.start, m.end));
  }
}

/**
 * Collects one untyped startup-phase packet (int32 length, no type byte). PostgreSQL refuses lengths below 8 or above
 * MAX_STARTUP_PACKET_LENGTH ("invalid length of startup packet"), so does this.
 */
export class StartupPacketReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLength = MAX_STARTUP_PACKET_LENGTH) {}

  /** Returns the packet and any bytes after it once complete, else null. */
  push(chunk: Buffer): { packet: Buffer; rest: Buffer } | null {
    // Startup packets are tiny and happen once per connection: a concat here costs nothing measurable.
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.buf.length < 4) return null;
    const len = this.buf.readInt32BE(0);
    if (len < 8 || len > this.maxLength) throw new ProtocolError('invalid length of startup packet');
    if (this.buf.length < len) return null;
    const packet = this.buf.subarray(0, len);
    const rest = this.buf.subarray(len);
    this.buf = Buffer.alloc(0);
    return { packet, rest };
  }
}
