/**
 * Wire constants of the PostgreSQL frontend/backend protocol 3.0, named after the docs
 * (https://www.postgresql.org/docs/current/protocol-message-formats.html). Type bytes are the ASCII letter; the
 * comment repeats the letter so a hex dump can be read against this file.
 */

/** Messages sent by the client (frontend). */
export const FrontendType = {
  Bind: 0x42, // 'B'
  Close: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyFail: 0x66, // 'f'
  Describe: 0x44, // 'D'
  Execute: 0x45, // 'E'
  Flush: 0x48, // 'H'
  FunctionCall: 0x46, // 'F'
  Parse: 0x50, // 'P'
  /** PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share 'p'. */
  Password: 0x70, // 'p'
  Query: 0x51, // 'Q'
  Sync: 0x53, // 'S'
  Terminate: 0x58, // 'X'
} as const;
export type FrontendType = (typeof FrontendType)[keyof typeof FrontendType];

/** Messages sent by the server (backend). */
export const BackendType = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  CommandComplete: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  CopyBothResponse: 0x57, // 'W'
  DataRow: 0x44, // 'D'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  FunctionCallResponse: 0x56, // 'V'
  NegotiateProtocolVersion: 0x76, // 'v'
  NoData: 0x6e, // 'n'
  NoticeResponse: 0x4e, // 'N'
  NotificationResponse: 0x41, // 'A'
  ParameterDescription: 0x74, // 't'
  ParameterStatus: 0x53, // 'S'
  ParseComplete: 0x31, // '1'
  PortalSuspended: 0x73, // 's'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
} as const;
export type BackendType = (typeof BackendType)[keyof typeof BackendType];

/** Request codes carried by untyped startup-phase packets (protocol-message-formats: StartupMessage, SSLRequest...). */
export const PROTOCOL_3_0 = 196608; // 3 << 16
export const SSL_REQUEST_CODE = 80877103; // 1234 << 16 | 5679
export const GSSENC_REQUEST_CODE = 80877104; // 1234 << 16 | 5680
export const CANCEL_REQUEST_CODE = 80877102; // 1234 << 16 | 5678

/** AuthenticationXXX sub-codes (the int32 after 'R'). */
export const AuthCode = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;
export type AuthCode = (typeof AuthCode)[keyof typeof AuthCode];

/** ReadyForQuery transaction status bytes. */
export type TxStatus = 'I' | 'T' | 'E';

/** ErrorResponse / NoticeResponse field codes (protocol-error-fields.html). */
export const ErrorField = {
  Severity: 0x53, // 'S' (localized)
  SeverityV: 0x56, // 'V' (never localized)
  Code: 0x43, // 'C'
  Message: 0x4d, // 'M'
  Detail: 0x44, // 'D'
  Hint: 0x48, // 'H'
  Position: 0x50, // 'P'
  Where: 0x57, // 'W'
  File: 0x46, // 'F'
  Line: 0x4c, // 'L'
  Routine: 0x52, // 'R'
} as const;

/** SQLSTATE codes pgwarden raises itself (errcodes-appendix.html). */
export const SqlState = {
  ProtocolViolation: '08P01',
  ConnectionFailure: '08006',
  TooManyConnections: '53300',
  InvalidAuthorizationSpecification: '28000',
  InvalidPassword: '28P01',
  AdminShutdown: '57P01',
  CannotConnectNow: '57P03',
  QueryCanceled: '57014',
  FeatureNotSupported: '0A000',
  InternalError: 'XX000',
} as const;

/** Message names, for logs and typed decoded messages. */
export type FrontendMessageName =
  | 'bind'
  | 'close'
  | 'copyData'
  | 'copyDone'
  | 'copyFail'
  | 'describe'
  | 'execute'
  | 'flush'
  | 'functionCall'
  | 'parse'
  | 'password'
  | 'query'
  | 'sync'
  | 'terminate'
  | 'startup'
  | 'sslRequest'
  | 'gssEncRequest'
  | 'cancelRequest';

export type BackendMessageName =
  | 'authentication'
  | 'backendKeyData'
  | 'bindComplete'
  | 'closeComplete'
  | 'commandComplete'
  | 'copyData'
  | 'copyDone'
  | 'copyInResponse'
  | 'copyOutResponse'
  | 'copyBothResponse'
  | 'dataRow'
  | 'emptyQueryResponse'
  | 'errorResponse'
  | 'functionCallResponse'
  | 'negotiateProtocolVersion'
  | 'noData'
  | 'noticeResponse'
  | 'notificationResponse'
  | 'parameterDescription'
  | 'parameterStatus'
  | 'parseComplete'
  | 'portalSuspended'
  | 'readyForQuery'
  | 'rowDescription';

/**
 * Length limits. PostgreSQL itself caps the startup packet at 10,000 bytes (MAX_STARTUP_PACKET_LENGTH) and any
 * message at 1 GB - 1 (PQ_LARGE_MESSAGE_LIMIT is 1 GB). A claimed length above the limit is a protocol violation
 * answered before a single body byte is buffered.
 */
export const MAX_STARTUP_PACKET_LENGTH = 10_000;
export const MAX_MESSAGE_LENGTH = 0x3fffffff; // 1 GB - 1
