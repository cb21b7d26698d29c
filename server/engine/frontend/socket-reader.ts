/**
 * Promise-style reads for the cold start-up/authentication phase of a client connection: one startup packet, then
 * whole typed messages. The relay phase does not use this (it is event driven); `detach()` hands any bytes the
 * client already sent to the session.
 */
import type { Socket } from 'node:net';
import { MAX_STARTUP_PACKET_LENGTH } from '../protocol/constants';
import { ProtocolError } from '../protocol/frame-scanner';

export class SocketClosedError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'SocketClosedError';
  }
}

export class SocketReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private ended = false;
  private error: Error | null = null;

  constructor(
    readonly socket: Socket,
    private readonly maxMessage: number,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private readonly onData = (chunk: Buffer): void => {
    // Start-up traffic is a few small packets; concatenation is fine here (never on the relay path).
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.buf.length > this.maxMessage + 5) this.socket.pause();
    this.wake();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake();
  };

  private readonly onError = (err: Error): void => {
    this.error = err;
    this.ended = true;
    this.wake();
  };

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async need(n: number): Promise<void> {
    while (this.buf.length < n) {
      if (this.ended) throw this.error ?? new SocketClosedError();
      if (this.socket.isPaused()) this.socket.resume();
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** Reads one untyped startup-phase packet (length limit MAX_STARTUP_PACKET_LENGTH, as PostgreSQL). */
  async readStartupPacket(): Promise<Buffer> {
    await this.need(4);
    const len = this.buf.readInt32BE(0);
    if (len < 8 || len > MAX_STARTUP_PACKET_LENGTH)
      throw new ProtocolError('invalid length of startup packet');
    await this.need(len);
    return this.take(len);
  }

  /** Reads one whole typed message (type byte included). */
  async readMessage(): Promise<Buffer> {
    await this.need(5);
    const len = this.buf.readInt32BE(1);
    if (len < 4 || len > this.maxMessage) throw new ProtocolError(`invalid message length ${len}`);
    await this.need(len + 1);
    return this.take(len + 1);
  }

  /** True when bytes are waiting (e.g. data sent right after SSLRequest, before the TLS handshake). */
  get buffered(): number {
    return this.buf.length;
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Stops reading; returns the unread bytes. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}
