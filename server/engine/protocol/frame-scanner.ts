/**
 * Streaming framer for typed protocol 3.0 messages (type byte + int32 length that counts itself, protocol-overview
 * "Messaging Overview"). It is the relay's hot path: it finds message boundaries and hands byte ranges to a handler
 * without decoding bodies, so DataRows and CopyData flow through untouched.
 *
 * Memory model (trade-off recorded against ARCHITECTURE.md rule 2): ranges are handed out as views of the socket's
 * own chunk whenever the message lies inside it, so a run of small messages is forwarded with zero copies. A message
 * that spans chunks is assembled once into a buffer of its exact size (or of the prefix the handler asked for, see
 * `prefixWanted`); there is never a concat of chunk + rest. A single growable carry buffer reused across messages
 * would be unsafe here: views of it are passed to socket.write(), which does not copy, so reusing the bytes before
 * the write completes would corrupt the stream.
 *
 * Large messages are streamed: once the header is known the handler may take the body as pieces (`onPiece`), so a
 * 100 MB DataRow or Bind is never held whole.
 */
import { MAX_MESSAGE_LENGTH } from './constants';

export interface FrameHandler {
  /**
   * Called once the 5-byte header is known. Return how many bytes of the message (header included) must be
   * contiguous before delivery: `total` (or more) for a whole message delivered to `onMessage`, anything smaller to
   * receive the message as pieces through `onPiece` whose first piece holds at least that many bytes.
   */
  prefixWanted(type: number, total: number): number;
  /** A whole message: buf[start, end) includes the type byte and the length. */
  onMessage(type: number, buf: Buffer, start: number, end: number): void;
  /** Part of a streamed message; `first` piece starts at the type byte; `last` ends the message. */
  onPiece(type: number, buf: Buffer, start: number, end: number, first: boolean, last: boolean): void;
}

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly sqlState: string = '08P01',
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Partial message state carried between chunks. */
/** First allocation for a message assembled across chunks; grows by doubling up to the message length. */
const INITIAL_PENDING = 64 * 1024;

const enum Phase {
  Header, // collecting the 5 header bytes
  Prefix, // collecting `want` contiguous bytes into `pending`
  Stream, // passing `remaining` body bytes through as pieces
}

export class FrameScanner {
  private phase = Phase.Header;
  private readonly header = Buffer.allocUnsafe(5);
  private headerFill = 0;
  private pending: Buffer | null = null;
  private pendingFill = 0;
  private type = 0;
  private total = 0; // whole message length including the type byte
  private remaining = 0;
  /**
   * Set by the handler (usually through pause()) to stop after the message being delivered; push() then returns
   * how many bytes it consumed and the caller keeps the rest for later.
   */
  stopped = false;

  constructor(
    private readonly handler: FrameHandler,
    private readonly maxLength: number = MAX_MESSAGE_LENGTH,
  ) {}

  /** True when no partial message is held (a message boundary). */
  get atBoundary(): boolean {
    return this.phase === Phase.Header && this.headerFill === 0;
  }

  pause(): void {
    this.stopped = true;
  }

  /**
   * Feeds one chunk and returns the number of bytes consumed (less than chunk.length only after pause()).
   * Throws ProtocolError on an impossible or oversized length.
   */
  push(chunk: Buffer): number {
    this.stopped = false;
    let pos = 0;
    const len = chunk.length;
    while (pos < len && !this.stopped) {
      if (this.phase === Phase.Stream) {
        const n = Math.min(this.remaining, len - pos);
        this.remaining -= n;
        this.handler.onPiece(this.type, chunk, pos, pos + n, false, this.remaining === 0);
        pos += n;
        if (this.remaining === 0) this.phase = Phase.Header;
        continue;
      }
      if ((this.phase as Phase) === Phase.Prefix) {
        let pending = this.pending!;
        const n = Math.min(this.pendingWant - this.pendingFill, len - pos);
        if (this.pendingFill + n > pending.length) pending = this.grow(this.pendingFill + n);
        chunk.copy(pending, this.pendingFill, pos, pos + n);
        this.pendingFill += n;
        pos += n;
        if (this.pendingFill === this.pendingWant) this.deliverPending();
        continue;
      }
      // Phase.Header
      if (this.headerFill === 0 && len - pos >= 5) {
        // Fast path: header inside this chunk.
        const type = chunk[pos]!;
        const total = chunk.readInt32BE(pos + 1) + 1;
        this.check(type, total);
        if (len - pos >= total) {
          const want = this.handler.prefixWanted(type, total);
          if (want >= total) this.handler.onMessage(type, chunk, pos, pos + total);
          else {
            this.handler.onPiece(type, chunk, pos, pos + total, true, true);
          }
          pos += total;
          continue;
        }
        this.begin(type, total);
        if ((this.phase as Phase) === Phase.Prefix) {
          this.pending = Buffer.allocUnsafe(Math.min(total, INITIAL_PENDING));
          this.pendingFill = 0;
        } else {
          const want = this.pendingWant;
          if (len - pos >= want) {
            const n = len - pos;
            this.remaining = total - n;
            this.handler.onPiece(type, chunk, pos, len, true, false);
            pos = len;
            continue;
          }
          // not enough for the wanted prefix: fall back to collecting it
          this.pending = Buffer.allocUnsafe(Math.min(want, INITIAL_PENDING));
          this.pendingFill = 0;
          this.phase = Phase.Prefix;
        }
        continue;
      }
      const n = Math.min(5 - this.headerFill, len - pos);
      chunk.copy(this.header, this.headerFill, pos, pos + n);
      this.headerFill += n;
      pos += n;
      if (this.headerFill < 5) continue;
      this.headerFill = 0;
      const type = this.header[0]!;
      const total = this.header.readInt32BE(1) + 1;
      this.check(type, total);
      this.begin(type, total);
      this.pending = Buffer.allocUnsafe(Math.min(this.pendingWant, INITIAL_PENDING));
      this.header.copy(this.pending, 0, 0, 5);
      this.pendingFill = 5;
      this.phase = Phase.Prefix;
      if (this.pendingFill === this.pendingWant) this.deliverPending();
    }
    return pos;
  }

  private pendingWant = 0;

  private check(type: number, total: number): void {
    // The length counts itself, so it is at least 4 (total 5); anything above the limit is refused before buffering.
    if (total < 5)
      throw new ProtocolError(`invalid message length ${total - 1} for message type 0x${type.toString(16)}`);
    if (total - 1 > this.maxLength)
      throw new ProtocolError(`message length ${total - 1} exceeds the limit of ${this.maxLength} bytes`);
  }

  /** Decides between whole (Prefix up to total) and streamed (Stream after `want` bytes). */
  private begin(type: number, total: number): void {
    this.type = type;
    this.total = total;
    const want = this.handler.prefixWanted(type, total);
    if (want >= total) {
      this.pendingWant = total;
      this.phase = Phase.Prefix;
    } else {
      this.pendingWant = Math.max(want, 5);
      this.phase = Phase.Stream;
    }
  }

  /**
   * The assembly buffer grows with the data actually received (doubling), so a hostile 1 GB length claim costs
   * nothing until the bytes arrive.
   */
  private grow(need: number): Buffer {
    const old = this.pending!;
    const next = Buffer.allocUnsafe(Math.min(this.pendingWant, Math.max(need, old.length * 2)));
    old.copy(next, 0, 0, this.pendingFill);
    this.pending = next;
    return next;
  }

  private deliverPending(): void {
    const buf =
      this.pending!.length === this.pendingFill ? this.pending! : this.pending!.subarray(0, this.pendingFill);
    this.pending = null;
    if (buf.length >= this.total) {
      this.phase = Phase.Header;
      this.handler.onMessage(this.type, buf, 0, buf.length);
      return;
    }
    this.remaining = this.total - buf.length;
    this.phase = Phase.Stream;
    this.handler.onPiece(this.type, buf, 0, buf.length, true, false);
  }
}
