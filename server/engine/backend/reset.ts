/**
 * Runs reset_query_list on a backend connection before it is cached (pgpool reference §10: default
 * 'ABORT; DISCARD ALL', ABORT skipped when the connection is not in a transaction). Resolves false when the
 * connection cannot be reused (error, closed, timeout): the caller then closes it.
 */
import { BackendType } from '../protocol/constants';
import { query } from '../protocol/frontend-builders';
import { RawMessageParser } from '../protocol/message-parser';
import { decodeBackend } from '../protocol/messages';
import type { BackendConnection } from './connection';

export function runSimpleQueries(
  conn: BackendConnection,
  queries: string[],
  timeoutMs = 10_000,
): Promise<boolean> {
  const list = queries
    .map((q) => q.trim())
    .filter((q) => q !== '' && !(conn.txStatus === 'I' && /^abort$/i.test(q)));
  if (list.length === 0) return Promise.resolve(!conn.closed);
  return new Promise((resolve) => {
    const parser = new RawMessageParser();
    const socket = conn.socket;
    let pending = list.length;
    let ok = true;
    const finish = (result: boolean): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(result && !conn.closed);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onClose = (): void => {
      conn.closed = true;
      finish(false);
    };
    const onData = (chunk: Buffer): void => {
      try {
        for (const m of parser.push(chunk)) {
          if (m.type === BackendType.ErrorResponse) ok = false;
          else if (m.type === BackendType.ParameterStatus) {
            // DISCARD ALL / RESET ALL report the values they restore: the next client must be told these.
            const d = decodeBackend(m.buf, m.start, m.end);
            if (d.name === 'parameterStatus') conn.parameters.set(d.key, d.value);
          } else if (m.type === BackendType.ReadyForQuery) {
            conn.txStatus = String.fromCharCode(m.buf[m.start + 5]!) as 'I' | 'T' | 'E';
            if (--pending === 0) finish(ok && conn.txStatus === 'I' && parser.atBoundary);
          }
        }
      } catch {
        finish(false);
      }
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
    // One Query per statement, sent together: each gets its own implicit transaction, as pgpool does.
    socket.write(Buffer.concat(list.map((q) => query(q))));
  });
}
