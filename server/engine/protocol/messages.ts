/**
 * Typed decoded messages and their decoders (protocol-message-formats.html). Only the messages the session or auth
 * code needs are decoded; the relay forwards everything else as raw bytes.
 */
import {
  BackendType,
  CANCEL_REQUEST_CODE,
  GSSENC_REQUEST_CODE,
  SSL_REQUEST_CODE,
  type TxStatus,
} from './constants';
import { ProtocolError } from './frame-scanner';
import { MessageReader } from './writer';

export type StartupPacket =
  | { name: 'startup'; major: number; minor: number; params: Map<string, string> }
  | { name: 'sslRequest' }
  | { name: 'gssEncRequest' }
  | { name: 'cancelRequest'; pid: number; key: number };

/** Decodes an untyped startup-phase packet (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest). */
export function decodeStartupPacket(buf: Buffer, start: number, end: number): StartupPacket {
  const r = new MessageReader(buf, start + 4, end);
  const code = r.int32();
  if (code === SSL_REQUEST_CODE) return { name: 'sslRequest' };
  if (code === GSSENC_REQUEST_CODE) return { name: 'gssEncRequest' };
  if (code === CANCEL_REQUEST_CODE) return { name: 'cancelRequest', pid: r.int32(), key: r.int32() };
  const major = code >>> 16;
  const minor = code & 0xffff;
  const params = new Map<string, string>();
  if (major !== 3) return { name: 'startup', major, minor, params };
  for (;;) {
    const k = r.cstring();
    if (k === '') break;
    params.set(k, r.cstring());
  }
  if (r.left !== 0)
    throw new ProtocolError('invalid startup packet layout: expected terminator as last byte');
  return { name: 'startup', major, minor, params };
}

export interface ErrorFields {
  severity: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** Every field by its code letter, for faithful re-encoding. */
  all: Map<string, string>;
}

export function decodeErrorFields(buf: Buffer, start: number, end: number): ErrorFields {
  const r = new MessageReader(buf, start + 5, end);
  const all = new Map<string, string>();
  while (r.left > 0) {
    const f = r.int8();
    if (f === 0) break;
    all.set(String.fromCharCode(f), r.cstring());
  }
  return {
    severity: all.get('V') ?? all.get('S') ?? '',
    code: all.get('C') ?? '',
    message: all.get('M') ?? '',
    detail: all.get('D'),
    hint: all.get('H'),
    all,
  };
}

export type BackendMessage =
  | { name: 'authentication'; code: number; data: Buffer }
  | { name: 'backendKeyData'; pid: number; key: number }
  | { name: 'parameterStatus'; key: string; value: string }
  | { name: 'readyForQuery'; status: TxStatus }
  | { name: 'errorResponse'; fields: ErrorFields }
  | { name: 'noticeResponse'; fields: ErrorFields }
  | { name: 'commandComplete'; tag: string }
  | { name: 'notificationResponse'; pid: number; channel: string; payload: string }
  | { name: 'rowDescription'; fields: { name: string; typeOid: number }[] }
  | { name: 'dataRow'; values: (Buffer | null)[] }
  | { name: 'negotiateProtocolVersion'; minor: number; options: string[] }
  | { name: 'other'; type: number; body: Buffer };

/** Decodes one whole backend message buf[start, end) (type byte included). */
export function decodeBackend(buf: Buffer, start: number, end: number): BackendMessage {
  const type = buf[start]!;
  const r = new MessageReader(buf, start + 5, end);
  switch (type) {
    case BackendType.Authentication: {
      const code = r.int32();
      return { name: 'authentication', code, data: r.rest() };
    }
    case BackendType.BackendKeyData:
      return { name: 'backendKeyData', pid: r.int32(), key: r.int32() };
    case BackendType.ParameterStatus:
      return { name: 'parameterStatus', key: r.cstring(), value: r.cstring() };
    case BackendType.ReadyForQuery:
      return { name: 'readyForQuery', status: String.fromCharCode(r.int8()) as TxStatus };
    case BackendType.ErrorResponse:
      return { name: 'errorResponse', fields: decodeErrorFields(buf, start, end) };
    case BackendType.NoticeResponse:
      return { name: 'noticeResponse', fields: decodeErrorFields(buf, start, end) };
    case BackendType.CommandComplete:
      return { name: 'commandComplete', tag: r.cstring() };
    case BackendType.NotificationResponse:
      return { name: 'notificationResponse', pid: r.int32(), channel: r.cstring(), payload: r.cstring() };
    case BackendType.RowDescription: {
      const n = r.int16();
      const fields: { name: string; typeOid: number }[] = [];
      for (let i = 0; i < n; i++) {
        const name = r.cstring();
        r.int32();
        r.int16();
        const typeOid = r.int32();
        r.int16();
        r.int32();
        r.int16();
        fields.push({ name, typeOid });
      }
      return { name: 'rowDescription', fields };
    }
    case BackendType.DataRow: {
      const n = r.int16();
      const values: (Buffer | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.int32();
        values.push(len < 0 ? null : r.bytes(len));
      }
      return { name: 'dataRow', values };
    }
    case BackendType.NegotiateProtocolVersion: {
      const minor = r.int32();
      const n = r.int32();
      const options: string[] = [];
      for (let i = 0; i < n; i++) options.push(r.cstring());
      return { name: 'negotiateProtocolVersion', minor, options };
    }
    default:
      return { name: 'other', type, body: r.rest() };
  }
}

export type FrontendMessage =
  | { name: 'query'; sql: string }
  | { name: 'parse'; statement: string; sql: string }
  | { name: 'bind'; portal: string; statement: string }
  | { name: 'describe' | 'close'; kind: 'S' | 'P'; target: string }
  | { name: 'execute'; portal: string; maxRows: number }
  | { name: 'password'; data: Buffer }
  | { name: 'other'; type: number };

/** Reads the names at the start of a Bind; works on a prefix (pieces of a streamed Bind). */
export function decodeBindNames(
  buf: Buffer,
  start: number,
  end: number,
): { portal: string; statement: string } {
  const r = new MessageReader(buf, start + 5, end);
  const portal = r.cstring();
  return { portal, statement: r.cstring() };
}

/** Decodes the client messages the session routes on; buf[start, end) includes the type byte. */
export function decodeFrontend(buf: Buffer, start: number, end: number): FrontendMessage {
  const type = buf[start]!;
  const r = new MessageReader(buf, start + 5, end);
  switch (type) {
    case 0x51: // 'Q'
      return { name: 'query', sql: r.cstring() };
    case 0x50: {
      // 'P'
      const statement = r.cstring();
      return { name: 'parse', statement, sql: r.cstring() };
    }
    case 0x42: // 'B'
      return { name: 'bind', ...decodeBindNames(buf, start, end) };
    case 0x44: // 'D'
    case 0x43: {
      // 'C'
      const k = String.fromCharCode(r.int8());
      if (k !== 'S' && k !== 'P')
        throw new ProtocolError(
          `invalid ${type === 0x44 ? 'DESCRIBE' : 'CLOSE'} message subtype ${k.charCodeAt(0)}`,
        );
      return { name: type === 0x44 ? 'describe' : 'close', kind: k, target: r.cstring() };
    }
    case 0x45: // 'E'
      return { name: 'execute', portal: r.cstring(), maxRows: r.int32() };
    case 0x70: // 'p'
      return { name: 'password', data: r.rest() };
    default:
      return { name: 'other', type };
  }
}
