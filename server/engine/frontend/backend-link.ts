/**
 * One session's use of one backend connection: the backend-to-client half of the relay.
 *
 * Replies are forwarded as byte ranges of the socket's chunks (FrameScanner), merged into one write per chunk when
 * contiguous; only ReadyForQuery, ErrorResponse, ParameterStatus and the COPY responses are looked at. Which replies
 * reach the client is decided by this link's queue of expectations (one per statement or extended-protocol batch,
 * each ending at ReadyForQuery): `forward` ones go to the client in the session-wide order, the others (a statement
 * sent to several nodes, reference §4.1: only `replyFrom` answers) are read and checked, then dropped.
 */
import type { BackendConnection } from '../backend/connection';
import { BackendType, type TxStatus } from '../protocol/constants';
import { FrameScanner, type FrameHandler } from '../protocol/frame-scanner';
import { decodeBackend, decodeErrorFields, type ErrorFields } from '../protocol/messages';

export interface Expectation {
  link: BackendLink;
  /** Replies go to the client (this node is the statement's replyFrom). */
  forward: boolean;
  /** Forward the ending ReadyForQuery too (false when pgwarden inserted the Sync itself). */
  forwardZ: boolean;
  sawError: boolean;
  status: TxStatus;
  /**
   * Native replication (replication/runner.ts): every message of this reply is copied to `capture` instead of being
   * forwarded or dropped; the runner decides what the client sees.
   */
  capture?: (frame: Buffer) => void;
}

/** What the link needs from its session (kept narrow so the link is testable and session-agnostic). */
export interface LinkOwner {
  canProcess(link: BackendLink): boolean;
  writeClient(buf: Buffer): void;
  expectationDone(link: BackendLink, e: Expectation): void;
  setStreaming(link: BackendLink | null): void;
  asyncMessage(link: BackendLink, type: number, buf: Buffer, start: number, end: number): void;
  backendProtocolError(link: BackendLink, err: Error): void;
  backendClosed(link: BackendLink): void;
  backendError(link: BackendLink, fields: ErrorFields, forwarded: boolean): void;
}

const MAX_HELD_BYTES = 4 * 1024 * 1024;

export class BackendLink implements FrameHandler {
  readonly scanner: FrameScanner;
  readonly expect: Expectation[] = [];
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** COPY IN/BOTH in progress: the client's CopyData goes to this node. */
  inCopy = false;
  /** A FATAL ErrorResponse came from this backend (it will close). */
  fatal: ErrorFields | null = null;
  private runBuf: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;
  private pieceForward = false;
  private pieceCapture: Buffer[] | null = null;
  private detached = false;

  constructor(
    readonly owner: LinkOwner,
    readonly conn: BackendConnection,
  ) {
    this.scanner = new FrameScanner(this);
    conn.socket.on('data', this.onData);
    conn.socket.on('close', this.onClose);
    conn.socket.resume();
  }

  get nodeId(): number {
    return this.conn.nodeId;
  }

  /** Nothing in flight: safe to hand back to the pool. */
  get idle(): boolean {
    return (
      this.expect.length === 0 &&
      this.held.length === 0 &&
      this.scanner.atBoundary &&
      !this.inCopy &&
      !this.conn.closed
    );
  }

  get hasHeld(): boolean {
    return this.held.length > 0;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.held.length > 0 || !this.owner.canProcess(this)) {
      this.hold(chunk);
      return;
    }
    this.process(chunk);
  };

  private readonly onClose = (): void => {
    this.conn.closed = true;
    if (!this.detached) this.owner.backendClosed(this);
  };

  private hold(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    // Backpressure: a node whose replies must wait for another node's stops being read.
    if (this.heldBytes > MAX_HELD_BYTES) this.conn.socket.pause();
  }

  /** Processes held chunks while the owner allows; returns true if something was processed. */
  drainHeld(): boolean {
    let progressed = false;
    while (this.held.length > 0 && this.owner.canProcess(this)) {
      const chunk = this.held.shift()!;
      this.heldBytes -= chunk.length;
      this.process(chunk);
      progressed = true;
    }
    if (this.heldBytes <= MAX_HELD_BYTES && this.conn.socket.isPaused()) this.conn.socket.resume();
    return progressed;
  }

  private process(chunk: Buffer): void {
    let used: number;
    try {
      used = this.scanner.push(chunk);
    } catch (e) {
      this.runBuf = null;
      this.owner.backendProtocolError(this, e as Error);
      return;
    }
    this.flushRun();
    if (used < chunk.length) {
      this.held.unshift(chunk.subarray(used));
      this.heldBytes += chunk.length - used;
    }
  }

  private addRun(buf: Buffer, start: number, end: number): void {
    if (this.runBuf === buf && this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.flushRun();
    this.runBuf = buf;
    this.runStart = start;
    this.runEnd = end;
  }

  flushRun(): void {
    const b = this.runBuf;
    if (b === null) return;
    this.runBuf = null;
    this.owner.writeClient(
      this.runStart === 0 && this.runEnd === b.length ? b : b.subarray(this.runStart, this.runEnd),
    );
  }

  // FrameHandler ------------------------------------------------------------------------------------------------

  prefixWanted(type: number, total: number): number {
    // Row data and COPY data stream through; everything else is small and wanted whole.
    return type === BackendType.DataRow || type === BackendType.CopyData ? 5 : total;
  }

  onPiece(_type: number, buf: Buffer, start: number, end: number, first: boolean, last: boolean): void {
    if (first) {
      const head = this.expect[0];
      this.pieceForward = head !== undefined && head.forward;
      this.pieceCapture = head?.capture ? [] : null;
    }
    if (this.pieceCapture) {
      this.pieceCapture.push(Buffer.from(buf.subarray(start, end)));
      if (last) {
        const frame = Buffer.concat(this.pieceCapture);
        this.pieceCapture = null;
        this.expect[0]?.capture?.(frame);
      }
      return;
    }
    if (this.pieceForward) {
      this.addRun(buf, start, end);
      if (!last) {
        this.flushRun();
        this.owner.setStreaming(this);
      } else if (!first) this.owner.setStreaming(null);
    } else if (!last) this.owner.setStreaming(null);
  }

  onMessage(type: number, buf: Buffer, start: number, end: number): void {
    const head = this.expect[0];
    if (head?.capture) {
      this.captured(head, head.capture, type, buf, start, end);
      return;
    }
    switch (type) {
      case BackendType.ReadyForQuery: {
        const status = String.fromCharCode(buf[start + 5]!) as TxStatus;
        this.conn.txStatus = status;
        this.inCopy = false;
        if (!head) return; // unsolicited: nothing to pair it with
        if (head.forward && head.forwardZ) this.addRun(buf, start, end);
        this.flushRun();
        head.status = status;
        this.expect.shift();
        this.owner.expectationDone(this, head);
        if (!this.owner.canProcess(this)) this.scanner.pause();
        return;
      }
      case BackendType.ErrorResponse: {
        const fields = decodeErrorFields(buf, start, end);
        if (head) head.sawError = true;
        if (fields.severity === 'FATAL' || fields.severity === 'PANIC') this.fatal = fields;
        const forwarded = head ? head.forward : false;
        if (forwarded) this.addRun(buf, start, end);
        else {
          this.flushRun();
          if (!head) this.owner.asyncMessage(this, type, buf, start, end);
        }
        this.owner.backendError(this, fields, forwarded || !head);
        return;
      }
      case BackendType.ParameterStatus: {
        const m = decodeBackend(buf, start, end);
        if (m.name === 'parameterStatus') this.conn.parameters.set(m.key, m.value);
        break;
      }
      case BackendType.CopyInResponse:
      case BackendType.CopyBothResponse:
        this.inCopy = true;
        break;
      default:
        break;
    }
    if (!head) {
      // Asynchronous messages (NoticeResponse, NotificationResponse, ParameterStatus) may come at any time.
      this.flushRun();
      this.owner.asyncMessage(this, type, buf, start, end);
    } else if (head.forward) this.addRun(buf, start, end);
    else this.flushRun();
  }

  /** A captured reply's message: copied (chunk views must not outlive the read), with the usual bookkeeping. */
  private captured(
    head: Expectation,
    capture: (frame: Buffer) => void,
    type: number,
    buf: Buffer,
    start: number,
    end: number,
  ): void {
    this.flushRun();
    const frame = Buffer.from(buf.subarray(start, end));
    if (type === BackendType.ErrorResponse) {
      const fields = decodeErrorFields(buf, start, end);
      head.sawError = true;
      if (fields.severity === 'FATAL' || fields.severity === 'PANIC') this.fatal = fields;
      this.owner.backendError(this, fields, true);
    } else if (type === BackendType.ParameterStatus) {
      const m = decodeBackend(buf, start, end);
      if (m.name === 'parameterStatus') this.conn.parameters.set(m.key, m.value);
    }
    if (type !== BackendType.ReadyForQuery) {
      capture(frame);
      return;
    }
    const status = String.fromCharCode(buf[start + 5]!) as TxStatus;
    this.conn.txStatus = status;
    head.status = status;
    this.expect.shift();
    capture(frame);
    this.owner.expectationDone(this, head);
    if (!this.owner.canProcess(this)) this.scanner.pause();
  }

  /** Stops relaying: listeners off, ready for the pool or for closing. */
  detach(): void {
    this.detached = true;
    this.conn.socket.off('data', this.onData);
    this.conn.socket.off('close', this.onClose);
  }
}
