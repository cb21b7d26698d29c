/**
 * Native replication of the extended query protocol (reference §4.1, §4.3): pure helpers for the session's
 * replicated batch (frontend/replication-hook.ts).
 *
 * - Timestamp rewriting in Parse: the time calls of a write are replaced by one extra parameter `$N::text::<type>`
 *   (N = one more than the statement's parameters), and every Bind of that statement gets the main node's `now()`
 *   appended as a text parameter; so a statement prepared once (`pgbench -M prepared`) stores each execution's own
 *   time, identical on every node. pgpool does the same (it adds Bind parameters for the rewritten Parse).
 * - Counting a batch's answers: the messages sent before a Flush are answered when each got its completion message
 *   (ParseComplete, BindComplete, CloseComplete, RowDescription/NoData, CommandComplete/EmptyQuery/PortalSuspended)
 *   or an ErrorResponse arrived (the backend then skips the rest until Sync).
 * - Results per Execute, compared node by node with mismatch.ts.
 */
import { scanSync } from 'libpg-query';
import { BackendType, FrontendType } from '../protocol/constants';
import { decodeBackend } from '../protocol/messages';
import type { NodeOutcome } from './mismatch';

/** Stands for the main node's now() while the rewriter splices; replaced by the parameter reference. */
const NOW_MARK = 'pgwarden-replicated-now-7f3a9c';
const NOW_LITERAL = `'${NOW_MARK}'::text`;

export interface ParseMessage {
  statement: string;
  sql: string;
  paramTypes: number[];
}

function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error('unterminated string in message');
  return [buf.toString('utf8', at, end), end + 1];
}

/** Decodes a whole Parse message (type byte included). */
export function decodeParse(msg: Buffer): ParseMessage {
  let at = 5;
  const [statement, a] = cstring(msg, at);
  const [sql, b] = cstring(msg, a);
  at = b;
  const n = msg.readInt16BE(at);
  at += 2;
  const paramTypes: number[] = [];
  for (let i = 0; i < n; i++, at += 4) paramTypes.push(msg.readUInt32BE(at));
  return { statement, sql, paramTypes };
}

export function encodeParse(p: ParseMessage): Buffer {
  const name = Buffer.from(`${p.statement}\0`, 'utf8');
  const sql = Buffer.from(`${p.sql}\0`, 'utf8');
  const len = 4 + name.length + sql.length + 2 + 4 * p.paramTypes.length;
  const out = Buffer.alloc(1 + len);
  out[0] = FrontendType.Parse;
  out.writeInt32BE(len, 1);
  let at = 5;
  at += name.copy(out, at);
  at += sql.copy(out, at);
  out.writeInt16BE(p.paramTypes.length, at);
  at += 2;
  for (const t of p.paramTypes) at = out.writeUInt32BE(t, at);
  return out;
}

/** Highest `$n` referenced in the statement (scanner tokens, so `'$3'` in a string does not count). */
export function maxParamRef(sql: string): number {
  let max = 0;
  for (const t of scanSync(sql).tokens as { tokenName: string; text: string }[])
    if (t.tokenName === 'PARAM') max = Math.max(max, Number(t.text.slice(1)));
  return max;
}

/**
 * The Parse text with the time calls replaced by the extra parameter; `rewrite` is the rewriter's
 * (PreparedRewrite.rewrite). Returns the new text and the parameter's number.
 */
export function parameterizeNow(
  sql: string,
  paramTypes: number[],
  rewrite: (now: string) => string,
): { sql: string; param: number } {
  const param = Math.max(maxParamRef(sql), paramTypes.length) + 1;
  const marked = rewrite(NOW_MARK);
  return { sql: marked.split(NOW_LITERAL).join(`$${param}::text`), param };
}

/**
 * A Bind with one more text parameter `value` at position `param` (1-based; the statement's parameters before it
 * are the client's). Format codes: none or one for all stay valid when text; one binary code for all is expanded.
 */
export function appendBindParam(bind: Buffer, param: number, value: string): Buffer {
  let at = 5;
  at = cstring(bind, at)[1];
  at = cstring(bind, at)[1];
  const names = bind.subarray(5, at);
  const nFormats = bind.readInt16BE(at);
  const formats: number[] = [];
  for (let i = 0; i < nFormats; i++) formats.push(bind.readInt16BE(at + 2 + 2 * i));
  at += 2 + 2 * nFormats;
  const nParams = bind.readInt16BE(at);
  at += 2;
  const paramsStart = at;
  for (let i = 0; i < nParams; i++) {
    const len = bind.readInt32BE(at);
    at += 4 + (len > 0 ? len : 0);
  }
  const params = bind.subarray(paramsStart, at);
  const tail = bind.subarray(at); // result format codes
  if (nParams !== param - 1) throw new Error(`Bind has ${nParams} parameters, expected ${param - 1}`);
  let newFormats: number[];
  if (nFormats === 0 || (nFormats === 1 && formats[0] === 0)) newFormats = formats;
  else if (nFormats === 1) newFormats = [...Array<number>(nParams).fill(formats[0]!), 0];
  else newFormats = [...formats, 0];
  const v = Buffer.from(value, 'utf8');
  const len = 4 + names.length + 2 + 2 * newFormats.length + 2 + params.length + 4 + v.length + tail.length;
  const out = Buffer.alloc(1 + len);
  out[0] = FrontendType.Bind;
  out.writeInt32BE(len, 1);
  let w = 5;
  w += names.copy(out, w);
  w = out.writeInt16BE(newFormats.length, w);
  for (const f of newFormats) w = out.writeInt16BE(f, w);
  w = out.writeInt16BE(nParams + 1, w);
  w += params.copy(out, w);
  w = out.writeInt32BE(v.length, w);
  w += v.copy(out, w);
  tail.copy(out, w);
  return out;
}

/** A ParameterDescription without its last parameter (the one pgwarden added). */
export function dropLastParamType(frame: Buffer): Buffer {
  const n = frame.readInt16BE(5);
  if (n === 0) return frame;
  const out = Buffer.from(frame.subarray(0, frame.length - 4));
  out.writeInt32BE(out.length - 1, 1);
  out.writeInt16BE(n - 1, 5);
  return out;
}

/** Messages that end with one completion message from the backend (Sync/Flush excluded). */
export function expectsCompletion(type: number): boolean {
  return (
    type === FrontendType.Parse ||
    type === FrontendType.Bind ||
    type === FrontendType.Close ||
    type === FrontendType.Describe ||
    type === FrontendType.Execute
  );
}

const COMPLETIONS = new Set<number>([
  BackendType.ParseComplete,
  BackendType.BindComplete,
  BackendType.CloseComplete,
  BackendType.RowDescription,
  BackendType.NoData,
  BackendType.CommandComplete,
  BackendType.EmptyQueryResponse,
  BackendType.PortalSuspended,
]);

/** The frame completes one message (RowDescription only ever answers a Describe in the extended protocol). */
export function isCompletion(type: number): boolean {
  return COMPLETIONS.has(type);
}

/** Each Execute's result as a NodeOutcome (kind C/I/s/E, tag, error), in order, from a node's frames. */
export function executeOutcomes(nodeId: number, frames: Buffer[]): NodeOutcome[] {
  const out: NodeOutcome[] = [];
  for (const f of frames) {
    const t = f[0]!;
    if (t === BackendType.CommandComplete) {
      const m = decodeBackend(f, 0, f.length);
      out.push({ nodeId, kind: 'C', tag: m.name === 'commandComplete' ? m.tag : undefined });
    } else if (t === BackendType.EmptyQueryResponse || t === BackendType.PortalSuspended)
      out.push({ nodeId, kind: String.fromCharCode(t) });
    else if (t === BackendType.ErrorResponse) {
      const m = decodeBackend(f, 0, f.length);
      out.push({ nodeId, kind: 'E', error: m.name === 'errorResponse' ? m.fields.message : undefined });
    }
  }
  return out;
}
