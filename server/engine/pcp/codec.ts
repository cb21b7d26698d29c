/**
 * Pure codec of pgpool-II's PCP protocol (reference §1.2, §1.5, §1.6): framing, the NUL-terminated string payloads,
 * ErrorResponse-style error packets and the per-command record layouts. No sockets, no timers (ARCHITECTURE.md rule 2).
 *
 * Frame layout in both directions: type byte, int32 BE length that counts itself and the payload but NOT the type
 * byte (min 4), payload. Servers refuse request lengths >= MAX_PCP_PACKET_LENGTH (Appendix B.1).
 */

/** pgpool `MAX_PCP_PACKET_LENGTH`: a request whose length field is >= this is refused (FATAL, connection closed). */
export const MAX_PCP_PACKET_LENGTH = 260;
/** glibc RAND_MAX: NodeInfo carries the normalized weight multiplied by it (reference §1.5 field 6). */
export const RAND_MAX = 2147483647;
/** pgpool truncates each error field to this many bytes (`send_message_to_frontend`). */
const ERROR_FIELD_MAX = 256;

/** Request type letters (client -> server), reference §1.4. */
export const PcpRequest = {
  SaltRequest: 'M',
  Authenticate: 'R',
  NodeCount: 'L',
  NodeInfo: 'I',
  HealthCheckStats: 'H',
  ProcessCount: 'N',
  ProcessInfo: 'P',
  WatchdogInfo: 'W',
  PoolStatus: 'B',
  AttachNode: 'C',
  DetachNode: 'D',
  DetachNodeGracefully: 'd',
  PromoteNode: 'J',
  PromoteNodeGracefully: 'j',
  RecoveryNode: 'O',
  ReloadConfig: 'Z',
  StopPgpool: 'T',
  StopPgpoolCluster: 't',
  SetParameter: 'A',
  NoOp: 'F',
  Terminate: 'X',
} as const;

/** Reply letters (server -> client). `E` error, `N` notice; others are the lowercase request letter or §1.2's map. */
export const PcpReply = {
  Salt: 'm',
  AuthenticationOk: 'r',
  Error: 'E',
  Notice: 'N',
} as const;

/** Tags that open a reply payload. */
export const PcpTag = {
  AuthenticationOK: 'AuthenticationOK',
  CommandComplete: 'CommandComplete',
  ArraySize: 'ArraySize',
  NodeInfo: 'NodeInfo',
  ProcessInfo: 'ProcessInfo',
  ProcessConfig: 'ProcessConfig',
} as const;

export interface PcpPacket {
  type: string;
  payload: Buffer;
}

export type PcpReadResult = PcpPacket | { error: 'bad_length'; type: string; length: number } | null;

/**
 * Incremental frame parser: one growable buffer with a read cursor (rule 2), so a frame split anywhere across TCP
 * chunks parses the same. `maxLength` is exclusive (pgpool: `len >= 260` is an error); replies need a larger one.
 */
export class PcpPacketReader {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  constructor(private readonly maxLength: number = MAX_PCP_PACKET_LENGTH) {}

  /** Bytes received and not yet consumed. */
  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const size = Math.max(live + chunk.length, this.buf.length * 2, 256);
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, this.start, this.end);
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** The next complete packet, a framing error (the stream cannot be trusted after it), or null for "need more". */
  next(): PcpReadResult {
    if (this.end - this.start < 5) return null;
    const type = String.fromCharCode(this.buf[this.start]!);
    const length = this.buf.readInt32BE(this.start + 1);
    if (length < 4 || length >= this.maxLength) return { error: 'bad_length', type, length };
    if (this.end - this.start < 1 + length) return null;
    const payload = Buffer.from(this.buf.subarray(this.start + 5, this.start + 1 + length));
    this.start += 1 + length;
    if (this.start === this.end) this.start = this.end = 0;
    return { type, payload };
  }
}

/** One frame: type byte, int32 length (itself + payload), payload. */
export function frame(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out.write(type, 0, 1, 'latin1');
  out.writeInt32BE(4 + payload.length, 1);
  payload.copy(out, 5);
  return out;
}

/** NUL-terminated strings, concatenated. Each string is snapshotted once before the length is computed (B.10). */
export function cstrings(values: readonly string[]): Buffer {
  return Buffer.concat(values.flatMap((v) => [Buffer.from(v, 'utf8'), Buffer.alloc(1)]));
}

export function stringsPacket(type: string, values: readonly string[]): Buffer {
  return frame(type, cstrings(values));
}

/** `<type> "CommandComplete\0" [extra strings...]` */
export function commandComplete(type: string, extra: readonly string[] = []): Buffer {
  return stringsPacket(type, [PcpTag.CommandComplete, ...extra]);
}

/** ArraySize with a decimal-string count (NodeInfo `i`, ProcessInfo `p`). */
export function arraySizeString(type: string, count: number): Buffer {
  return stringsPacket(type, [PcpTag.ArraySize, String(count)]);
}

/** ArraySize with a binary int32 BE count (pool status `b` only, §1.5). */
export function arraySizeInt32(type: string, count: number): Buffer {
  const n = Buffer.allocUnsafe(4);
  n.writeInt32BE(count, 0);
  return frame(type, Buffer.concat([cstrings([PcpTag.ArraySize]), n]));
}

export function saltPacket(salt: Buffer): Buffer {
  return frame(PcpReply.Salt, salt);
}

export function authenticationOk(): Buffer {
  return stringsPacket(PcpReply.AuthenticationOk, [PcpTag.AuthenticationOK]);
}

export type PcpSeverity = 'ERROR' | 'FATAL' | 'WARNING' | 'NOTICE' | 'LOG' | 'INFO' | 'DEBUG';

/** Fields of an `E`/`N` packet (PostgreSQL v3 ErrorResponse layout, reference §1.6). */
export interface PcpErrorFields {
  severity: PcpSeverity;
  message: string;
  detail?: string;
  hint?: string;
  /** SQLSTATE; pgpool always sends XX000. */
  code?: string;
  /** Source location (`F`/`L`); optional, clients ignore them. */
  file?: string;
  line?: number;
}

function truncateField(value: string): Buffer {
  const b = Buffer.from(value, 'utf8');
  return b.length > ERROR_FIELD_MAX ? b.subarray(0, ERROR_FIELD_MAX) : b;
}

/** `E` (ERROR/FATAL) or `N` (notice) packet; the field list ends with an extra NUL (Appendix B.5). */
export function errorPacket(fields: PcpErrorFields): Buffer {
  const parts: Buffer[] = [];
  const add = (tag: string, value: string): void => {
    parts.push(Buffer.from(tag, 'latin1'), truncateField(value), Buffer.alloc(1));
  };
  add('S', fields.severity);
  add('C', fields.code ?? 'XX000');
  add('M', fields.message);
  if (fields.detail !== undefined) add('D', fields.detail);
  if (fields.hint !== undefined) add('H', fields.hint);
  if (fields.file !== undefined) add('F', fields.file);
  if (fields.line !== undefined) add('L', String(fields.line));
  parts.push(Buffer.alloc(1));
  const isError = fields.severity === 'ERROR' || fields.severity === 'FATAL';
  return frame(isError ? PcpReply.Error : PcpReply.Notice, Buffer.concat(parts));
}

/** Parse an `E`/`N` payload back into fields (client side). */
export function parseErrorFields(payload: Buffer): PcpErrorFields {
  const out: PcpErrorFields = { severity: 'ERROR', message: '' };
  let i = 0;
  while (i < payload.length && payload[i] !== 0) {
    const tag = String.fromCharCode(payload[i]!);
    const endIdx = payload.indexOf(0, i + 1);
    const stop = endIdx < 0 ? payload.length : endIdx;
    const value = payload.subarray(i + 1, stop).toString('utf8');
    if (tag === 'S') out.severity = value as PcpSeverity;
    else if (tag === 'C') out.code = value;
    else if (tag === 'M') out.message = value;
    else if (tag === 'D') out.detail = value;
    else if (tag === 'H') out.hint = value;
    else if (tag === 'F') out.file = value;
    else if (tag === 'L') out.line = Number(value);
    i = stop + 1;
  }
  return out;
}

/** Split a payload into its NUL-terminated strings (a trailing unterminated piece is kept as a string). */
export function splitCStrings(payload: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < payload.length) {
    const endIdx = payload.indexOf(0, i);
    const stop = endIdx < 0 ? payload.length : endIdx;
    out.push(payload.subarray(i, stop).toString('utf8'));
    i = stop + 1;
  }
  return out;
}

/** The first NUL-terminated string of a payload (the whole payload when it has no NUL). */
export function firstCString(payload: Buffer): string {
  const endIdx = payload.indexOf(0);
  return payload.subarray(0, endIdx < 0 ? payload.length : endIdx).toString('utf8');
}

/**
 * C `atoi` as pgpool applies it to request payloads: optional leading whitespace and sign, then digits; anything else
 * stops the scan and an empty scan is 0. Keeps the server's reading of odd payloads identical to pgpool's.
 */
export function atoi(s: string): number {
  const m = /^[ \t\n\r\f\v]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number.parseInt(m[1]!, 10);
  if (n > 2147483647) return 2147483647;
  if (n < -2147483648) return -2147483648;
  return n;
}

/** C `%f`: six decimals. */
export function formatFloat(x: number): string {
  return x.toFixed(6);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** strftime `%F %T` (`%Y-%m-%d %H:%M:%S`) in the server's local time zone, as pgpool's `localtime()`. */
export function formatTimestamp(d: Date | null): string {
  if (!d) return '';
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Epoch seconds as a decimal string (NodeInfo status_changed_time). */
export function epochSeconds(d: Date): string {
  return String(Math.floor(d.getTime() / 1000));
}

/** Node id payload the client tools send: `"%d\0"`. */
export function nodeIdPayload(id: number): Buffer {
  return cstrings([String(id)]);
}

/** Promote payload: `"<id> \0"` then the option byte `s` (switchover) or `n` (reference §1.5). */
export function promotePayload(id: number, switchover: boolean): Buffer {
  return Buffer.concat([cstrings([`${id} `]), Buffer.from(switchover ? 's' : 'n', 'latin1')]);
}
