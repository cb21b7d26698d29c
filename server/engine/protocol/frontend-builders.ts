/**
 * Serializers for messages pgwarden sends to PostgreSQL as a client (backend connections, cancel forwarding, reset
 * queries), and that tests use as fixture builders. Each links to its entry in
 * https://www.postgresql.org/docs/current/protocol-message-formats.html.
 */
import {
  CANCEL_REQUEST_CODE,
  FrontendType,
  GSSENC_REQUEST_CODE,
  PROTOCOL_3_0,
  SSL_REQUEST_CODE,
} from './constants';
import { MessageWriter } from './writer';

/** StartupMessage: #PROTOCOL-MESSAGE-FORMATS-STARTUPMESSAGE (untyped). */
export function startupMessage(
  params: Record<string, string> | Map<string, string>,
  version = PROTOCOL_3_0,
): Buffer {
  const m = new MessageWriter().int32(version);
  const entries = params instanceof Map ? [...params] : Object.entries(params);
  for (const [k, v] of entries) m.cstring(k).cstring(v);
  return m.int8(0).finish(null);
}

/** SSLRequest: #PROTOCOL-MESSAGE-FORMATS-SSLREQUEST */
export function sslRequest(): Buffer {
  return new MessageWriter(16).int32(SSL_REQUEST_CODE).finish(null);
}

/** GSSENCRequest: #PROTOCOL-MESSAGE-FORMATS-GSSENCREQUEST */
export function gssEncRequest(): Buffer {
  return new MessageWriter(16).int32(GSSENC_REQUEST_CODE).finish(null);
}

/** CancelRequest: #PROTOCOL-MESSAGE-FORMATS-CANCELREQUEST */
export function cancelRequest(pid: number, key: number): Buffer {
  return new MessageWriter(16).int32(CANCEL_REQUEST_CODE).int32(pid).int32(key).finish(null);
}

/** Query: #PROTOCOL-MESSAGE-FORMATS-QUERY */
export function query(sql: string): Buffer {
  return new MessageWriter(Buffer.byteLength(sql) + 8).cstring(sql).finish(FrontendType.Query);
}

/** Parse: #PROTOCOL-MESSAGE-FORMATS-PARSE */
export function parse(statement: string, sql: string, paramTypes: number[] = []): Buffer {
  const m = new MessageWriter().cstring(statement).cstring(sql).int16(paramTypes.length);
  for (const t of paramTypes) m.int32(t);
  return m.finish(FrontendType.Parse);
}

/** Bind with text parameters and text results: #PROTOCOL-MESSAGE-FORMATS-BIND */
export function bind(portal: string, statement: string, params: (string | Buffer | null)[] = []): Buffer {
  const m = new MessageWriter().cstring(portal).cstring(statement).int16(0).int16(params.length);
  for (const p of params) {
    if (p === null) m.int32(-1);
    else {
      const b = typeof p === 'string' ? Buffer.from(p) : p;
      m.int32(b.length).bytes(b);
    }
  }
  return m.int16(0).finish(FrontendType.Bind);
}

/** Describe: #PROTOCOL-MESSAGE-FORMATS-DESCRIBE */
export function describe(kind: 'S' | 'P', name: string): Buffer {
  return new MessageWriter().int8(kind.charCodeAt(0)).cstring(name).finish(FrontendType.Describe);
}

/** Execute: #PROTOCOL-MESSAGE-FORMATS-EXECUTE */
export function execute(portal = '', maxRows = 0): Buffer {
  return new MessageWriter().cstring(portal).int32(maxRows).finish(FrontendType.Execute);
}

/** Close: #PROTOCOL-MESSAGE-FORMATS-CLOSE */
export function close(kind: 'S' | 'P', name: string): Buffer {
  return new MessageWriter().int8(kind.charCodeAt(0)).cstring(name).finish(FrontendType.Close);
}

/** Sync: #PROTOCOL-MESSAGE-FORMATS-SYNC */
export function sync(): Buffer {
  return new MessageWriter(8).finish(FrontendType.Sync);
}

/** Flush: #PROTOCOL-MESSAGE-FORMATS-FLUSH */
export function flush(): Buffer {
  return new MessageWriter(8).finish(FrontendType.Flush);
}

/** Terminate: #PROTOCOL-MESSAGE-FORMATS-TERMINATE */
export function terminate(): Buffer {
  return new MessageWriter(8).finish(FrontendType.Terminate);
}

/** PasswordMessage (cleartext or md5 hash): #PROTOCOL-MESSAGE-FORMATS-PASSWORDMESSAGE */
export function passwordMessage(password: string): Buffer {
  return new MessageWriter().cstring(password).finish(FrontendType.Password);
}

/** SASLInitialResponse: #PROTOCOL-MESSAGE-FORMATS-SASLINITIALRESPONSE */
export function saslInitialResponse(mechanism: string, data: string): Buffer {
  const b = Buffer.from(data);
  return new MessageWriter().cstring(mechanism).int32(b.length).bytes(b).finish(FrontendType.Password);
}

/** SASLResponse: #PROTOCOL-MESSAGE-FORMATS-SASLRESPONSE */
export function saslResponse(data: string): Buffer {
  return new MessageWriter().bytes(Buffer.from(data)).finish(FrontendType.Password);
}

/** CopyData (frontend): #PROTOCOL-MESSAGE-FORMATS-COPYDATA */
export function copyDataFrontend(data: Buffer | string): Buffer {
  return new MessageWriter()
    .bytes(typeof data === 'string' ? Buffer.from(data) : data)
    .finish(FrontendType.CopyData);
}

/** CopyDone: #PROTOCOL-MESSAGE-FORMATS-COPYDONE */
export function copyDone(): Buffer {
  return new MessageWriter(8).finish(FrontendType.CopyDone);
}

/** CopyFail: #PROTOCOL-MESSAGE-FORMATS-COPYFAIL */
export function copyFail(message: string): Buffer {
  return new MessageWriter().cstring(message).finish(FrontendType.CopyFail);
}
