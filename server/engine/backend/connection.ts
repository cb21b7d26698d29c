/**
 * One connection to a PostgreSQL node: connect, startup, authentication (auth.ts), then the ParameterStatus /
 * BackendKeyData / ReadyForQuery that end the start-up phase (protocol-flow.html#PROTOCOL-FLOW-START-UP). After
 * that the socket belongs to whoever relays on it (a session, or the pool while it resets the connection).
 */
import net from 'node:net';
import { AuthCode, BackendType, type TxStatus } from '../protocol/constants';
import { startupMessage, terminate } from '../protocol/frontend-builders';
import { decodeBackend, type ErrorFields } from '../protocol/messages';
import { RawMessageParser } from '../protocol/message-parser';
import {
  BackendAuthenticator,
  type AuthRelay,
  type BackendAuthMethod,
  type BackendCredentials,
} from './auth';

export interface BackendConnectOptions {
  nodeId: number;
  host: string;
  port: number;
  user: string;
  database: string;
  /** Startup parameters other than user/database (application_name, client_encoding, options, ...). */
  params: Map<string, string>;
  creds: BackendCredentials;
  relay?: AuthRelay | null;
  /** connect_timeout (ms) for TCP connect + start-up; 0 = none. */
  timeoutMs: number;
}

/** Why a connection attempt failed: `kind` separates "node unreachable" (failover material) from refusals. */
export class BackendConnectError extends Error {
  constructor(
    message: string,
    readonly kind: 'socket' | 'timeout' | 'server' | 'auth',
    readonly fields: ErrorFields | null = null,
  ) {
    super(message);
    this.name = 'BackendConnectError';
  }
}

let nextConnId = 1;

export class BackendConnection {
  readonly id = nextConnId++;
  readonly createdAt = Date.now();
  pid = 0;
  key = 0;
  txStatus: TxStatus = 'I';
  readonly parameters = new Map<string, string>();
  /** The raw ParameterStatus messages, replayed to a client that reuses this connection. */
  parameterMessages: Buffer[] = [];
  authMethod: BackendAuthMethod = 'trust';
  authRelayed = false;
  closed = false;
  lastUsed = Date.now();
  serverVersion = '';
  lastError: string | null = null;

  private constructor(
    readonly socket: net.Socket,
    readonly nodeId: number,
    readonly host: string,
    readonly port: number,
    readonly user: string,
    readonly database: string,
  ) {}

  /** Opens, authenticates and waits for the first ReadyForQuery. */
  static connect(o: BackendConnectOptions): Promise<BackendConnection> {
    return new Promise((resolve, reject) => {
      const socket = o.host.startsWith('/')
        ? net.connect({ path: `${o.host}/.s.PGSQL.${o.port}` })
        : net.connect({ host: o.host, port: o.port });
      socket.setNoDelay(true);
      const conn = new BackendConnection(socket, o.nodeId, o.host, o.port, o.user, o.database);
      const auth = new BackendAuthenticator(o.user, o.creds, o.relay ?? null);
      const parser = new RawMessageParser();
      let done = false;
      let chain: Promise<void> = Promise.resolve();
      const timer =
        o.timeoutMs > 0
          ? setTimeout(
              () => fail(new BackendConnectError(`connection to node ${o.nodeId} timed out`, 'timeout')),
              o.timeoutMs,
            )
          : null;
      const fail = (e: BackendConnectError): void => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        cleanup();
        socket.destroy();
        conn.closed = true;
        reject(e);
      };
      const cleanup = (): void => {
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      const onError = (err: Error): void =>
        fail(
          new BackendConnectError(
            `cannot connect to node ${o.nodeId} (${o.host}:${o.port}): ${err.message}`,
            'socket',
          ),
        );
      const onClose = (): void =>
        fail(new BackendConnectError(`node ${o.nodeId} closed the connection during start-up`, 'socket'));
      const handle = async (buf: Buffer, start: number, end: number): Promise<void> => {
        const type = buf[start]!;
        if (type === BackendType.Authentication) {
          const m = decodeBackend(buf, start, end);
          if (m.name !== 'authentication') return;
          if (m.code === AuthCode.Ok) return;
          const reply = await auth.answer(Buffer.from(buf.subarray(start, end)), m.code, m.data);
          if (reply && !done) socket.write(reply);
          return;
        }
        const m = decodeBackend(buf, start, end);
        switch (m.name) {
          case 'parameterStatus':
            conn.parameters.set(m.key, m.value);
            conn.parameterMessages.push(Buffer.from(buf.subarray(start, end)));
            if (m.key === 'server_version') conn.serverVersion = m.value;
            break;
          case 'backendKeyData':
            conn.pid = m.pid;
            conn.key = m.key;
            break;
          case 'errorResponse': {
            const kind = m.fields.code.startsWith('28') ? 'auth' : 'server';
            fail(new BackendConnectError(m.fields.message, kind, m.fields));
            break;
          }
          case 'readyForQuery':
            if (done) return;
            done = true;
            if (timer) clearTimeout(timer);
            cleanup();
            // The owner attaches its own listeners; this one keeps a late socket error from crashing the process.
            socket.on('error', (err) => {
              conn.lastError = err.message;
            });
            conn.txStatus = m.status;
            conn.authMethod = auth.method;
            conn.authRelayed = auth.relayed;
            if (parser.atBoundary) resolve(conn);
            else
              fail(new BackendConnectError('unexpected data after ReadyForQuery during start-up', 'server'));
            break;
          default:
            break; // NoticeResponse, NegotiateProtocolVersion: nothing to do
        }
      };
      const onData = (chunk: Buffer): void => {
        let msgs;
        try {
          msgs = parser.push(chunk);
        } catch (e) {
          fail(
            new BackendConnectError(
              `protocol error from node ${o.nodeId}: ${(e as Error).message}`,
              'server',
            ),
          );
          return;
        }
        // Authentication answers may await the client (relay); keep messages strictly ordered.
        for (const msg of msgs) {
          chain = chain
            .then(() => (done ? undefined : handle(msg.buf, msg.start, msg.end)))
            .catch((e: unknown) => fail(new BackendConnectError((e as Error).message, 'auth')));
        }
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.once('connect', () => {
        const params = new Map<string, string>([
          ['user', o.user],
          ['database', o.database],
        ]);
        for (const [k, v] of o.params) if (k !== 'user' && k !== 'database') params.set(k, v);
        socket.write(startupMessage(params));
      });
    });
  }

  /** Polite close: Terminate then end (protocol-flow.html#PROTOCOL-FLOW-TERMINATION). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.socket.destroyed && this.socket.writable) this.socket.end(terminate());
    else this.socket.destroy();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
