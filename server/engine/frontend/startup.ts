/**
 * One client connection from accept to relay (protocol-flow.html#PROTOCOL-FLOW-START-UP): SSLRequest/GSSENCRequest
 * negotiation, CancelRequest, the StartupMessage, the session slot (admission), client authentication, backend
 * connections (pool or new), then the start-up answer (AuthenticationOk, ParameterStatus, BackendKeyData,
 * ReadyForQuery) and hand-over to ClientSession. Every failure closes only this connection, with an ErrorResponse
 * where the client can still read one.
 */
import type { Socket } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { HbaRule, PoolPasswdEntry } from '../config/types';
import {
  errorResponse,
  errorResponseFromFields,
  negotiateProtocolVersion,
  type ErrorSpec,
} from '../protocol/backend-builders';
import { MAX_MESSAGE_LENGTH, SqlState } from '../protocol/constants';
import { ProtocolError } from '../protocol/frame-scanner';
import { decodeStartupPacket } from '../protocol/messages';
import { BackendConnectError } from '../backend/connection';
import type { Admission } from './admission';
import { AuthFailure } from './auth/verify';
import type { CancelRegistry } from './cancel-registry';
import { openBackends } from './session-setup';
import { SocketClosedError, SocketReader } from './socket-reader';
import type { ClientSession } from './session';
import type { SessionServices } from './session-types';

export interface ProxyContext extends SessionServices {
  admission: Admission;
  cancels: CancelRegistry;
  tls: { context: SecureContext; requestCert: boolean; ca: X509Certificate[] } | null;
  hba: HbaRule[];
  poolPasswd: ReadonlyMap<string, PoolPasswdEntry> | undefined;
  sessions: Map<number, ClientSession>;
  nextSessionId(): number;
  accepting(): boolean;
  /** Startup phase sockets, so shutdown can close them. */
  pending: Set<Socket>;
}

class FatalError extends Error {
  constructor(readonly spec: ErrorSpec | Buffer) {
    super(Buffer.isBuffer(spec) ? 'backend error' : spec.message);
  }
}

const fatal = (code: string, message: string, extra: Partial<ErrorSpec> = {}): FatalError =>
  new FatalError({ severity: 'FATAL', code, message, ...extra });

function sendFatal(socket: Socket, err: FatalError): void {
  if (socket.destroyed) return;
  socket.end(Buffer.isBuffer(err.spec) ? err.spec : errorResponse(err.spec));
  setTimeout(() => socket.destroy(), 1000).unref();
}

export function handleConnection(raw: Socket, ctx: ProxyContext): void {
  // Pin the config, router and pool_hba/pool_passwd of this session: a reload (proxy.reconfigure) changes new ones.
  ctx = { ...ctx };
  raw.setNoDelay(true);
  ctx.pending.add(raw);
  let slot = -1;
  let socket: Socket = raw;
  const timeoutMs = ctx.config.authentication_timeout * 1000;
  // authentication_timeout bounds everything before the relay starts (slow-loris clients included).
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          ctx.logger.debug('authentication timeout, closing client', { address: raw.remoteAddress });
          socket.destroy();
          raw.destroy();
        }, timeoutMs)
      : null;
  const done = (): void => {
    if (timer) clearTimeout(timer);
    ctx.pending.delete(raw);
  };
  raw.on('error', () => undefined);
  run()
    .catch((e: unknown) => {
      if (slot >= 0) ctx.admission.release(slot);
      slot = -1;
      if (e instanceof FatalError) sendFatal(socket, e);
      else if (e instanceof AuthFailure) sendFatal(socket, fatal(e.sqlState, e.message));
      else if (e instanceof ProtocolError) sendFatal(socket, fatal(SqlState.ProtocolViolation, e.message));
      else if (e instanceof SocketClosedError) socket.destroy();
      else {
        ctx.logger.warn('client start-up failed', { error: (e as Error).message });
        sendFatal(socket, fatal(SqlState.InternalError, (e as Error).message));
      }
    })
    .finally(done);

  async function run(): Promise<void> {
    let reader = new SocketReader(socket, MAX_MESSAGE_LENGTH);
    let tls = false;
    let verified = false;
    let params: Map<string, string> | null = null;
    while (!params) {
      const pkt = await reader.readStartupPacket();
      const m = decodeStartupPacket(pkt, 0, pkt.length);
      if (m.name === 'sslRequest') {
        if (tls) throw new ProtocolError('SSLRequest received on an encrypted connection');
        if (!ctx.tls) {
          socket.write('N');
          continue;
        }
        // Bytes sent before the handshake would be read as if encrypted (CVE-2021-23214): refuse them.
        if (reader.buffered > 0) throw new ProtocolError('received unencrypted data after SSL request');
        reader.detach();
        socket.write('S');
        const t = await upgrade(socket, ctx.tls.context, ctx.tls.requestCert);
        socket = t;
        reader = new SocketReader(socket, MAX_MESSAGE_LENGTH);
        tls = true;
        // With ssl_ca_cert, a certificate the client presents must verify (PostgreSQL: ssl_ca_file); none is fine.
        const verdict = ctx.tls.requestCert ? verifyClientCertificate(t, ctx.tls.ca) : 'none';
        if (typeof verdict === 'object')
          throw fatal(
            SqlState.InvalidAuthorizationSpecification,
            `could not accept SSL connection: certificate verify failed (${verdict.failed})`,
          );
        verified = verdict === 'ok';
        continue;
      }
      if (m.name === 'gssEncRequest') {
        socket.write('N'); // GSSAPI encryption is not supported; the client falls back (protocol-flow 55.2.10).
        continue;
      }
      if (m.name === 'cancelRequest') {
        ctx.cancels.cancel(m.pid, m.key);
        socket.destroy();
        return;
      }
      if (m.major !== 3)
        throw fatal(
          SqlState.FeatureNotSupported,
          `unsupported frontend protocol ${m.major}.${m.minor}: server supports 3.0 to 3.0`,
        );
      if (m.minor > 0 || [...m.params.keys()].some((k) => k.startsWith('_pq_.'))) {
        const unsupported = [...m.params.keys()].filter((k) => k.startsWith('_pq_.'));
        for (const k of unsupported) m.params.delete(k);
        socket.write(negotiateProtocolVersion(0, unsupported));
      }
      params = m.params;
    }
    const user = params.get('user');
    if (!user)
      throw fatal(
        SqlState.InvalidAuthorizationSpecification,
        'no PostgreSQL user name specified in startup packet',
      );
    const database = params.get('database') || user;
    if (
      params.has('replication') &&
      params.get('replication') !== 'false' &&
      params.get('replication') !== '0'
    )
      throw fatal(SqlState.FeatureNotSupported, 'pgwarden does not relay replication connections');
    if (!ctx.accepting())
      throw fatal(SqlState.CannotConnectNow, 'pgwarden is shutting down and not accepting new connections');
    if (ctx.state.validNodeIds().length === 0)
      throw fatal(SqlState.CannotConnectNow, 'pgpool is not accepting any new connections', {
        detail: 'all backend nodes are down, pgpool requires at least one valid node',
        hint: 'repair the backend nodes and restart pgpool',
      });

    const got = ctx.admission.acquire();
    if (got === 'full') throw fatal(SqlState.TooManyConnections, 'Sorry, too many clients already');
    if (typeof got === 'number') slot = got;
    else {
      // Waiting clients are not under authentication_timeout (pgpool: the listen backlog), but a close cancels the wait.
      if (timer) clearTimeout(timer);
      const onClose = (): void => got.cancel();
      socket.once('close', onClose);
      slot = await got.wait;
      socket.off('close', onClose);
      if (socket.destroyed) throw new SocketClosedError();
      if (timer) timer.refresh();
    }

    const address = socket.remoteAddress ?? null;
    const setup = await openBackends(reader, ctx, {
      user,
      database,
      params,
      address: address && socket.remoteFamily ? address : null,
      ssl: tls,
      certVerified: verified,
    }).catch((e: unknown) => {
      if (e instanceof BackendConnectError && e.fields)
        throw new FatalError(errorResponseFromFields(e.fields.all));
      if (e instanceof BackendConnectError)
        throw fatal(SqlState.ConnectionFailure, `failed to connect to backend: ${e.message}`);
      throw e;
    });
    if (timer) clearTimeout(timer);
    const leftover = reader.detach();
    setup.start(socket, slot, leftover);
    slot = -1; // owned by the session now
  }
}

function upgrade(socket: Socket, context: SecureContext, requestCert: boolean): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = new TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      requestCert,
      rejectUnauthorized: false,
    });
    t.once('secure', () => resolve(t));
    t.once('error', reject);
    t.once('close', () => reject(new SocketClosedError()));
  });
}

/**
 * Checks the client's certificate against ssl_ca_cert (PostgreSQL ssl_ca_file semantics: a presented certificate
 * must verify; none at all is fine unless the hba method is cert). Done here because a TLSSocket wrapped by hand
 * (after SSLRequest) does not fill `authorized`. One level of CA (the CA signs the client certificate directly).
 */
/** 'ok', 'none' (no certificate presented), or why verification failed. */
export type CertVerdict = 'ok' | 'none' | { failed: string };

export function verifyClientCertificate(t: TLSSocket, cas: X509Certificate[]): CertVerdict {
  const peer = t.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0 || !peer.raw) return 'none';
  const cert = new X509Certificate(peer.raw);
  const now = Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo))
    return { failed: 'certificate expired or not yet valid' };
  for (const ca of cas) if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) return 'ok';
  return { failed: 'unable to get local issuer certificate' };
}
