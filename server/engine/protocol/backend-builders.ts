/**
 * Serializers for messages pgwarden sends to clients as if it were the server. Each links to its entry in
 * https://www.postgresql.org/docs/current/protocol-message-formats.html.
 */
import { AuthCode, BackendType, type TxStatus } from './constants';
import { MessageWriter } from './writer';

const w = (size?: number): MessageWriter => new MessageWriter(size);

/** AuthenticationOk: protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONOK */
export function authenticationOk(): Buffer {
  return w(16).int32(AuthCode.Ok).finish(BackendType.Authentication);
}

/** AuthenticationCleartextPassword: #PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONCLEARTEXTPASSWORD */
export function authenticationCleartextPassword(): Buffer {
  return w(16).int32(AuthCode.CleartextPassword).finish(BackendType.Authentication);
}

/** AuthenticationMD5Password: #PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONMD5PASSWORD */
export function authenticationMD5Password(salt: Buffer): Buffer {
  return w(16).int32(AuthCode.MD5Password).bytes(salt).finish(BackendType.Authentication);
}

/** AuthenticationSASL: #PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONSASL */
export function authenticationSASL(mechanisms: string[]): Buffer {
  const m = w().int32(AuthCode.SASL);
  for (const mech of mechanisms) m.cstring(mech);
  return m.int8(0).finish(BackendType.Authentication);
}

/** AuthenticationSASLContinue: #PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONSASLCONTINUE */
export function authenticationSASLContinue(data: string): Buffer {
  return w().int32(AuthCode.SASLContinue).bytes(Buffer.from(data)).finish(BackendType.Authentication);
}

/** AuthenticationSASLFinal: #PROTOCOL-MESSAGE-FORMATS-AUTHENTICATIONSASLFINAL */
export function authenticationSASLFinal(data: string): Buffer {
  return w().int32(AuthCode.SASLFinal).bytes(Buffer.from(data)).finish(BackendType.Authentication);
}

/** BackendKeyData: #PROTOCOL-MESSAGE-FORMATS-BACKENDKEYDATA */
export function backendKeyData(pid: number, key: number): Buffer {
  return w(16).int32(pid).int32(key).finish(BackendType.BackendKeyData);
}

/** ParameterStatus: #PROTOCOL-MESSAGE-FORMATS-PARAMETERSTATUS */
export function parameterStatus(key: string, value: string): Buffer {
  return w().cstring(key).cstring(value).finish(BackendType.ParameterStatus);
}

/** ReadyForQuery: #PROTOCOL-MESSAGE-FORMATS-READYFORQUERY */
export function readyForQuery(status: TxStatus): Buffer {
  return w(8).int8(status.charCodeAt(0)).finish(BackendType.ReadyForQuery);
}

export interface ErrorSpec {
  severity: 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'LOG' | 'INFO' | 'DEBUG';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

function fields(m: MessageWriter, e: ErrorSpec): MessageWriter {
  m.int8(0x53).cstring(e.severity); // 'S'
  m.int8(0x56).cstring(e.severity); // 'V'
  m.int8(0x43).cstring(e.code); // 'C'
  m.int8(0x4d).cstring(e.message); // 'M'
  if (e.detail) m.int8(0x44).cstring(e.detail); // 'D'
  if (e.hint) m.int8(0x48).cstring(e.hint); // 'H'
  return m.int8(0);
}

/** ErrorResponse: #PROTOCOL-MESSAGE-FORMATS-ERRORRESPONSE (fields: protocol-error-fields.html) */
export function errorResponse(e: ErrorSpec): Buffer {
  return fields(w(), e).finish(BackendType.ErrorResponse);
}

/** NoticeResponse: #PROTOCOL-MESSAGE-FORMATS-NOTICERESPONSE */
export function noticeResponse(e: ErrorSpec): Buffer {
  return fields(w(), e).finish(BackendType.NoticeResponse);
}

/** Re-encodes decoded fields (e.g. an error relayed from a backend during authentication). */
export function errorResponseFromFields(all: Map<string, string>): Buffer {
  const m = w();
  for (const [k, v] of all) m.int8(k.charCodeAt(0)).cstring(v);
  return m.int8(0).finish(BackendType.ErrorResponse);
}

/** Column of a RowDescription pgwarden synthesises (admin results: text columns). */
export interface ColumnSpec {
  name: string;
  typeOid?: number; // default 25 (text)
}

/** RowDescription: #PROTOCOL-MESSAGE-FORMATS-ROWDESCRIPTION */
export function rowDescription(cols: ColumnSpec[]): Buffer {
  const m = w().int16(cols.length);
  cols.forEach((c, i) => {
    m.cstring(c.name)
      .int32(0)
      .int16(i)
      .int32(c.typeOid ?? 25)
      .int16(-1)
      .int32(-1)
      .int16(0);
  });
  return m.finish(BackendType.RowDescription);
}

/** DataRow (text values): #PROTOCOL-MESSAGE-FORMATS-DATAROW */
export function dataRow(values: (string | Buffer | null)[]): Buffer {
  const m = w().int16(values.length);
  for (const v of values) {
    if (v === null) m.int32(-1);
    else {
      const b = typeof v === 'string' ? Buffer.from(v) : v;
      m.int32(b.length).bytes(b);
    }
  }
  return m.finish(BackendType.DataRow);
}

/** CommandComplete: #PROTOCOL-MESSAGE-FORMATS-COMMANDCOMPLETE */
export function commandComplete(tag: string): Buffer {
  return w().cstring(tag).finish(BackendType.CommandComplete);
}

/** EmptyQueryResponse: #PROTOCOL-MESSAGE-FORMATS-EMPTYQUERYRESPONSE */
export function emptyQueryResponse(): Buffer {
  return w(8).finish(BackendType.EmptyQueryResponse);
}

/** NegotiateProtocolVersion: #PROTOCOL-MESSAGE-FORMATS-NEGOTIATEPROTOCOLVERSION */
export function negotiateProtocolVersion(newestMinor: number, unsupported: string[]): Buffer {
  const m = w().int32(newestMinor).int32(unsupported.length);
  for (const o of unsupported) m.cstring(o);
  return m.finish(BackendType.NegotiateProtocolVersion);
}

/** NotificationResponse: #PROTOCOL-MESSAGE-FORMATS-NOTIFICATIONRESPONSE */
export function notificationResponse(pid: number, channel: string, payload: string): Buffer {
  return w().int32(pid).cstring(channel).cstring(payload).finish(BackendType.NotificationResponse);
}

/** ParseComplete / BindComplete / NoData / CloseComplete: empty-bodied messages. */
export function emptyMessage(type: BackendType): Buffer {
  return w(8).finish(type);
}

/** CopyData (backend to client): #PROTOCOL-MESSAGE-FORMATS-COPYDATA */
export function copyData(data: Buffer): Buffer {
  return w(data.length + 8)
    .bytes(data)
    .finish(BackendType.CopyData);
}
