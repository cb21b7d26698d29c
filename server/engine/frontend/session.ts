/**
 * A client session: the relay between one client socket and the backend connections it uses (reference §10, one
 * pgpool child serving one client). Client messages are framed (FrameScanner), routed (session-dispatch.ts) and
 * forwarded as byte ranges; replies come back through BackendLinks in the order the client asked.
 *
 * Flow control: the client side stops reading (`blocked`) while a message must wait (a node switch inside an
 * extended-protocol batch, a lazy backend connect, an async classification, an admin command); the held bytes are
 * replayed in order afterwards. Socket backpressure pauses the opposite side until 'drain'.
 */
import type { Socket } from 'node:net';
import type { BackendConnection } from '../backend/connection';
import { sendCancel } from '../backend/cancel';
import { errorResponse, readyForQuery, type ErrorSpec } from '../protocol/backend-builders';
import { BackendType, SqlState, type TxStatus } from '../protocol/constants';
import { FrameScanner, ProtocolError } from '../protocol/frame-scanner';
import { metricsOf } from '../runtime/metrics';
import type { ErrorFields } from '../protocol/messages';
import type { SessionRouteContext } from '../router/types';
import type { SessionEntry } from '../api';
import { BackendLink, type Expectation, type LinkOwner } from './backend-link';
import { createSessionTracking } from '../router/session-tracking';
import { applyStatus } from './route-context';
import { sessionEntry } from './session-info';
import { ClientDispatcher } from './session-dispatch';
import type { SessionInit, SessionServices } from './session-types';

export class ClientSession implements LinkOwner {
  readonly id: number;
  readonly startTime = new Date();
  readonly links = new Map<number, BackendLink>();
  /** Forwarding expectations in client order. */
  readonly fwdQueue: Expectation[] = [];
  txStatus: TxStatus = 'I';
  readonly ctx: SessionRouteContext;
  closed = false;
  queries = 0;
  /** PGPOOL SET values of this session (reference §2). */
  readonly adminOverrides = new Map<string, string>();
  private streaming: BackendLink | null = null;
  private readonly scanner: FrameScanner;
  private readonly dispatcher: ClientDispatcher;
  private blocked = false;
  private clientHeld: Buffer[] = [];
  private idleWaiters: (() => void)[] = [];
  private kickScheduled = false;
  private clientPressure = false;
  private backendPressure = 0;
  private mainNode: number;
  /** Whole seconds the session waited for its client with nothing in flight (pgpool's idle_count), outside and
   * inside online recovery; reset by client data or work in flight. Advanced by the proxy's 1 s tick. */
  private idleCount = 0;
  private idleCountInRecovery = 0;
  /** Query latency (Prometheus): when the client's current request began (0: none waiting for its answer). */
  private turnStart = 0;
  /** client_idle_limit_in_recovery = -1 during recovery: close at the next idle point. */
  private closeAtIdle = false;

  constructor(
    readonly client: Socket,
    readonly init: SessionInit,
    readonly svc: SessionServices,
  ) {
    this.id = init.id;
    this.ctx = {
      database: init.database,
      user: init.user,
      applicationName: init.params.get('application_name') ?? '',
      inTransaction: false,
      txWrote: false,
      sessionWrote: false,
      txFailed: false,
      serializable: false,
      loadBalanceNode: init.loadBalanceNode,
      sessionWroteInTransaction: false,
      tracking: createSessionTracking(),
    };
    for (const c of init.backends) this.links.set(c.nodeId, new BackendLink(this, c));
    this.mainNode = init.backends[0]?.nodeId ?? -1;
    this.dispatcher = new ClientDispatcher(this);
    this.scanner = new FrameScanner(this.dispatcher);
    client.on('data', this.onClientData);
    client.on('error', () => this.end('client socket error'));
    client.on('close', () => this.end('client closed'));
    client.on('end', () => this.end('client closed'));
  }

  /** Starts relaying (after the start-up messages were written to the client). */
  start(): void {
    if (this.init.leftover.length > 0) this.onClientData(this.init.leftover);
    this.client.resume();
  }

  get user(): string {
    return this.init.user;
  }

  get database(): string {
    return this.init.database;
  }

  // Client side ---------------------------------------------------------------------------------------------------

  private readonly onClientData = (chunk: Buffer): void => {
    if (this.closed) return;
    this.idleCount = 0;
    this.idleCountInRecovery = 0;
    if (this.fwdQueue.length === 0) this.turnStart = performance.now();
    if (this.blocked) {
      this.clientHeld.push(chunk);
      return;
    }
    this.feed(chunk);
  };

  private feed(chunk: Buffer): void {
    let used: number;
    try {
      used = this.scanner.push(chunk);
    } catch (e) {
      this.protocolViolation(e as Error);
      return;
    }
    this.dispatcher.flushOut();
    if (used < chunk.length) this.clientHeld.unshift(chunk.subarray(used));
  }

  /** Stops reading client messages until unblock(). */
  block(): void {
    this.blocked = true;
    this.scanner.pause();
    this.dispatcher.flushOut();
    this.updateClientFlow();
  }

  unblock(): void {
    if (this.closed || !this.blocked) return;
    this.blocked = false;
    if (!this.dispatcher.redispatch()) return;
    this.dispatcher.flushOut();
    while (!this.blocked && !this.closed && this.clientHeld.length > 0) this.feed(this.clientHeld.shift()!);
    this.updateClientFlow();
  }

  private updateClientFlow(): void {
    if (this.closed) return;
    if (this.blocked || this.backendPressure > 0) this.client.pause();
    else this.client.resume();
  }

  /** Writes to a backend with backpressure on the client. */
  writeBackend(link: BackendLink, buf: Buffer): void {
    if (link.conn.closed) return;
    if (!link.conn.socket.write(buf)) {
      this.backendPressure++;
      this.updateClientFlow();
      link.conn.socket.once('drain', () => {
        this.backendPressure--;
        this.updateClientFlow();
      });
    }
  }

  /** Nothing in flight on any backend. */
  isIdle(): boolean {
    if (this.fwdQueue.length > 0) return false;
    for (const l of this.links.values()) if (l.expect.length > 0) return false;
    return true;
  }

  /** Runs fn once every expectation is answered (barrier before a node switch or a locally answered message). */
  whenIdle(fn: () => void): void {
    if (this.isIdle()) fn();
    else this.idleWaiters.push(fn);
  }

  /** Makes sure connections to these nodes exist (lazy connect); sync when they all do. */
  ensureLinks(nodeIds: number[]): BackendLink[] | Promise<BackendLink[]> {
    const out: BackendLink[] = [];
    let missing = false;
    for (const id of nodeIds) {
      const l = this.links.get(id);
      if (l) out.push(l);
      else missing = true;
    }
    if (!missing) return out;
    return Promise.all(
      nodeIds.map(async (id) => {
        const have = this.links.get(id);
        if (have) return have;
        const conn = await this.init.connectNode(id);
        if (this.closed) {
          conn.close();
          throw new Error('session closed');
        }
        const l = new BackendLink(this, conn);
        this.links.set(id, l);
        return l;
      }),
    );
  }

  newExpectation(link: BackendLink, forward: boolean): Expectation {
    const e: Expectation = { link, forward, forwardZ: true, sawError: false, status: 'I' };
    link.expect.push(e);
    if (forward) this.fwdQueue.push(e);
    return e;
  }

  /** The node answering Sync/Flush when no statement chose one: the main link. */
  defaultLink(): BackendLink | null {
    return this.links.get(this.mainNode) ?? this.links.values().next().value ?? null;
  }

  protocolViolation(e: Error): void {
    const msg = e instanceof ProtocolError ? e.message : `invalid frontend message: ${e.message}`;
    this.svc.logger.warn('client protocol violation, closing the connection', {
      session: this.id,
      error: msg,
    });
    this.terminate(msg, SqlState.ProtocolViolation);
  }

  // LinkOwner (backend side) ----------------------------------------------------------------------------------------

  canProcess(link: BackendLink): boolean {
    if (this.streaming !== null && this.streaming !== link) return false;
    const head = link.expect[0];
    if (!head || !head.forward) return true;
    return this.fwdQueue[0] === head;
  }

  writeClient(buf: Buffer): void {
    if (this.closed) return;
    if (!this.client.write(buf) && !this.clientPressure) {
      // The client reads slower than backends answer: stop reading backends until it drains.
      this.clientPressure = true;
      for (const l of this.links.values()) l.conn.socket.pause();
      this.client.once('drain', () => {
        this.clientPressure = false;
        for (const l of this.links.values()) if (!l.hasHeld) l.conn.socket.resume();
        this.scheduleKick();
      });
    }
  }

  expectationDone(_link: BackendLink, e: Expectation): void {
    if (e.forward) {
      if (this.fwdQueue[0] === e) this.fwdQueue.shift();
      else this.fwdQueue.splice(this.fwdQueue.indexOf(e), 1);
      this.txStatus = e.status;
      if (this.fwdQueue.length === 0) {
        if (this.turnStart !== 0 && e.forwardZ) {
          metricsOf(this.svc.state).observeQuery(performance.now() - this.turnStart);
          this.turnStart = 0;
        }
        applyStatus(this.ctx, e.status);
        if (this.closeAtIdle) queueMicrotask(this.closeIfIdle);
      }
    }
    this.scheduleKick();
  }

  setStreaming(link: BackendLink | null): void {
    const was = this.streaming;
    this.streaming = link;
    if (was !== null && link === null) this.scheduleKick();
  }

  asyncMessage(link: BackendLink, type: number, buf: Buffer, start: number, end: number): void {
    // Notifications from any node reach the client (LISTEN may run on several); notices and parameter changes only
    // from the main node, so a statement sent to two nodes does not print its notice twice.
    // An unsolicited error from another node (its FATAL at shutdown) is not the client's: the link is dropped.
    if (type === BackendType.NotificationResponse || link.nodeId === this.mainNode)
      this.writeClient(buf.subarray(start, end));
  }

  backendError(link: BackendLink, fields: ErrorFields, forwarded: boolean): void {
    const c = this.svc.state.node(link.nodeId)?.counters;
    if (c) {
      if (fields.severity === 'FATAL') c.fatal++;
      else if (fields.severity === 'PANIC') c.panic++;
      else c.error++;
    }
    if (!forwarded && fields.severity === 'ERROR')
      this.svc.logger.warn('statement failed on a node whose reply was not forwarded', {
        session: this.id,
        node: link.nodeId,
        code: fields.code,
        message: fields.message,
      });
  }

  backendProtocolError(link: BackendLink, err: Error): void {
    this.svc.logger.error('protocol error from backend', { node: link.nodeId, error: err.message });
    link.conn.destroy();
    this.terminate(
      `protocol error from backend node ${link.nodeId}: ${err.message}`,
      SqlState.ProtocolViolation,
    );
  }

  backendClosed(link: BackendLink): void {
    if (this.closed) return;
    this.links.delete(link.nodeId);
    this.svc.backendLost(link.nodeId, { fatal: link.fatal, socketError: link.conn.lastError });
    if (this.dropLink(link)) return;
    if (link.fatal) {
      // The FATAL was already relayed in order (it was an answer or an async message): just close.
      this.end(`backend node ${link.nodeId} closed the connection: ${link.fatal.message}`);
      return;
    }
    this.terminate(
      `terminating connection because backend node ${link.nodeId} closed the connection unexpectedly`,
      SqlState.ConnectionFailure,
    );
  }

  private scheduleKick(): void {
    if (this.kickScheduled) return;
    this.kickScheduled = true;
    queueMicrotask(this.kick);
  }

  private readonly kick = (): void => {
    this.kickScheduled = false;
    if (this.closed) return;
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const l of this.links.values()) if (l.hasHeld && l.drainHeld()) progressed = true;
    }
    if (this.idleWaiters.length > 0 && this.isIdle()) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  };

  // Idle limits ---------------------------------------------------------------------------------------------------

  /**
   * client_idle_limit and client_idle_limit_in_recovery (reference §10, §6.2 step 4), as pgpool 4.3's
   * read_packets_and_process: while the session waits for its client with nothing in flight (inside a transaction
   * too), each second counts; past the limit the client gets ERROR 57000 with pgpool's words and is disconnected.
   * `inRecovery` is pgpool's InRecovery > 0: online recovery holds new sessions (Admission.blocked). There -1 means
   * "at the next idle point". Called by the proxy every second, and at once when a reply completes under -1.
   */
  idleTick(inRecovery: boolean): void {
    if (this.closed) return;
    const idle = !this.blocked && this.streaming === null && this.isIdle();
    if (!idle) {
      this.idleCount = 0;
      this.idleCountInRecovery = 0;
    }
    if (!inRecovery) {
      this.closeAtIdle = false;
      const limit = this.idleLimit();
      if (idle && limit > 0 && ++this.idleCount > limit)
        this.terminateWith({
          severity: 'ERROR',
          code: '57000',
          message: 'unable to read data',
          detail: `child connection forced to terminate due to client_idle_limit:${limit} is reached`,
        });
      return;
    }
    const limit = this.svc.config.client_idle_limit_in_recovery;
    if (limit === -1) {
      // The first tick that sees the recovery arms the session (the recovery's own wait_clients poll may close
      // all-idle sessions itself first); from then on it goes at its next idle point.
      if (!this.closeAtIdle) this.closeAtIdle = true;
      else if (idle)
        this.terminateWith({
          severity: 'ERROR',
          code: '57000',
          message: 'connection terminated due to online recovery',
          detail: 'child connection forced to terminate due to client_idle_limit:-1',
        });
      return;
    }
    this.closeAtIdle = false;
    if (idle && limit > 0 && ++this.idleCountInRecovery > limit)
      this.terminateWith({
        severity: 'ERROR',
        code: '57000',
        message: 'unable to read data',
        detail: `child connection forced to terminate due to client_idle_limit_in_recovery:${limit} is reached`,
      });
  }

  private readonly closeIfIdle = (): void => {
    if (this.closeAtIdle) this.idleTick(true);
  };

  /** client_idle_limit, or this session's PGPOOL SET value. */
  private idleLimit(): number {
    const o = this.adminOverrides.get('client_idle_limit');
    const n = o === undefined ? NaN : Number(o);
    return Number.isFinite(n) ? n : this.svc.config.client_idle_limit;
  }

  // Control ---------------------------------------------------------------------------------------------------------

  /** Forwards a CancelRequest to every backend running something for this client (protocol-flow 55.2.7). */
  cancel(): void {
    for (const l of this.links.values())
      if (l.expect.length > 0 || !l.idle) void sendCancel(l.conn.host, l.conn.port, l.conn.pid, l.conn.key);
  }

  /** Sends an ErrorResponse (FATAL) saying why, then closes (SessionTerminator, shutdown, protocol violations). */
  terminate(message: string, code: string = SqlState.AdminShutdown): void {
    if (this.closed) return;
    if (this.streaming === null) {
      const e: ErrorSpec = { severity: 'FATAL', code, message };
      this.client.write(errorResponse(e));
    }
    this.end(message);
  }

  /** Sends this error (pgpool's own wording), then closes. */
  terminateWith(spec: ErrorSpec): void {
    if (this.closed) return;
    if (this.streaming === null) this.client.write(errorResponse(spec));
    this.end(`${spec.message}${spec.detail ? `: ${spec.detail}` : ''}`);
  }

  /** Writes a locally produced answer: an error plus ReadyForQuery (used when a statement cannot be routed). */
  localError(spec: ErrorSpec, withReady: boolean): void {
    this.writeClient(errorResponse(spec));
    if (withReady) this.writeClient(readyForQuery(this.txStatus));
  }

  usesNode(nodeId: number): boolean {
    return this.links.has(nodeId);
  }

  /**
   * Losing a node other than the main one fails no client statement when the client sees none of its replies (idle
   * link, or only copies such as BEGIN/COMMIT): the link is dropped and reads go to the main node (failover #8).
   */
  dropLink(link: BackendLink): boolean {
    if (link.nodeId === this.mainNode || this.streaming === link) return false;
    if (link.expect.some((e) => e.forward || e.capture)) return false;
    this.links.delete(link.nodeId);
    link.detach();
    link.conn.destroy();
    link.expect.length = 0;
    if (this.ctx.loadBalanceNode === link.nodeId) this.ctx.loadBalanceNode = this.mainNode;
    this.svc.logger.log(`session ${this.id}: node ${link.nodeId} lost, the session goes on without it`);
    this.scheduleKick();
    return true;
  }

  /** Ends the session: clean links go back to the pool (reset there), the others are closed. */
  end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.svc.logger.debug('session ended', { session: this.id, reason });
    this.client.off('data', this.onClientData);
    for (const l of this.links.values()) {
      l.detach();
      if (l.idle && !l.fatal && this.svc.state.isValid(l.nodeId))
        void this.svc.pool
          .release(this.init.poolKey, l.conn, this.init.pooledAuth, 0)
          .catch(() => l.conn.destroy());
      else l.conn.destroy();
    }
    this.links.clear();
    if (!this.client.destroyed) this.client.end();
    setTimeout(() => this.client.destroy(), 2000).unref();
    this.svc.sessionClosed(this);
  }

  /** Closes sockets without any message (shutdown immediate). */
  destroy(): void {
    if (this.closed) return;
    this.client.destroy();
    for (const l of this.links.values()) l.conn.destroy();
    this.end('immediate shutdown');
  }

  entry(): SessionEntry {
    return sessionEntry(this);
  }

  backendConnections(): BackendConnection[] {
    return [...this.links.values()].map((l) => l.conn);
  }
}
