// A minimal protocol-level client for tests that need exact message sequences (pipelines, batches, errors),
// built on the codec's serializers and parser.
import net from 'node:net';
import * as fe from '../../server/engine/protocol/frontend-builders';
import type { BackendMessage } from '../../server/engine/protocol/messages';
import { BackendMessageParser } from '../../server/engine/protocol/message-parser';

export class RawClient {
  private readonly parser = new BackendMessageParser();
  private readonly inbox: BackendMessage[] = [];
  private wake: (() => void) | null = null;
  closed = false;
  /** Messages of the start-up answer (ParameterStatus, BackendKeyData, ...). */
  startup: BackendMessage[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.inbox.push(...this.parser.push(d));
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(
    port: number,
    params: Record<string, string> = { user: 'postgres', database: 'postgres' },
  ): Promise<RawClient> {
    const s = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((r, j) => {
      s.once('connect', () => r());
      s.once('error', j);
    });
    const c = new RawClient(s);
    s.write(fe.startupMessage(params));
    c.startup = await c.untilReady();
    return c;
  }

  send(...msgs: Buffer[]): void {
    this.socket.write(Buffer.concat(msgs));
  }

  /** Messages up to and including the n-th ReadyForQuery. */
  async untilReady(n = 1, timeoutMs = 10_000): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    while (seen < n) {
      const m = this.inbox.shift();
      if (m) {
        out.push(m);
        if (m.name === 'readyForQuery') seen++;
        if (m.name === 'errorResponse' && m.fields.severity === 'FATAL') break;
        continue;
      }
      if (this.closed) break;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ReadyForQuery; got ${out.map((x) => x.name).join(',')}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 100);
      });
      this.wake = null;
    }
    return out;
  }

  close(): void {
    this.socket.end(fe.terminate());
  }
}

/** First text value of each DataRow, for compact assertions. */
export function firstValues(msgs: BackendMessage[]): string[] {
  return msgs.flatMap((m) => (m.name === 'dataRow' ? [m.values[0]?.toString() ?? 'NULL'] : []));
}

export function names(msgs: BackendMessage[]): string[] {
  return msgs.map((m) => m.name);
}
