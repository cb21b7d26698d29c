/**
 * Client-to-backend half of the relay: decides where each client message goes (reference §4.1, §5; router/types.ts)
 * and forwards its bytes.
 *
 * - Simple Query: classified and routed per statement; each target gets the Query, only `replyFrom` answers.
 * - Extended protocol: a Parse is routed by its statement text; Bind/Describe/Execute/Close follow the prepared
 *   statement's or portal's nodes. Messages up to Sync form a batch answered by one node; a read Parse joins the
 *   batch's node. When a message must be answered by another node, pgwarden ends the batch on the old node with its
 *   own Sync (swallowing that ReadyForQuery), waits, and continues on the new one; if the old node had failed, the
 *   client's messages are skipped until its Sync, exactly as PostgreSQL skips after an error (protocol-flow 55.2.3).
 * - COPY data follows the statement that started the COPY; FunctionCall goes where a write goes.
 */
import { FrontendType, SqlState } from '../protocol/constants';
import { ProtocolError, type FrameHandler } from '../protocol/frame-scanner';
import { sync as syncMessage } from '../protocol/frontend-builders';
import { decodeBindNames, decodeFrontend } from '../protocol/messages';
import { readyForQuery } from '../protocol/backend-builders';
import type { StatementClass, StatementRoute } from '../router/types';
import type { BackendLink, Expectation } from './backend-link';
import { applyRoute } from './route-context';
import { runAdminCommand } from './session-admin';
import { mainFirst, othersFirst } from './fanout';
import { ExtendedReplication, replicate, replicates } from './replication-hook';
import type { ClientSession } from './session';

const SYNC = syncMessage();
/** Describe/Execute/Close/CopyFail bodies are names and short texts. */
const SMALL_MESSAGE_LIMIT = 64 * 1024;
/** Binds up to this size are taken whole; larger ones stream after their names. */
const WHOLE_BIND_LIMIT = 64 * 1024;
const BIND_PREFIX = 8192;

const COPY_RE = /^\s*copy\s/i;

const FUNCTION_CALL_CLASS: StatementClass = {
  kind: 'write',
  counter: 'other',
  txEffect: 'none',
  tables: [],
  functions: [],
  why: 'FunctionCall protocol message',
};

interface Deferred {
  type: number;
  buf: Buffer;
  start: number;
  end: number;
  piece: { first: boolean; last: boolean } | null;
}

export class ClientDispatcher implements FrameHandler {
  private batchReply: BackendLink | null = null;
  private readonly batch = new Map<BackendLink, Expectation>();
  private readonly statements = new Map<string, BackendLink[]>();
  private readonly portals = new Map<string, BackendLink[]>();
  private lastTargets: BackendLink[] = [];
  private pieceTargets: BackendLink[] = [];
  private skipUntilSync = false;
  private deferred: Deferred | null = null;
  private classified: { sql: string; cls: StatementClass } | null = null;
  private outLink: BackendLink | null = null;
  private outBuf: Buffer | null = null;
  private outStart = 0;
  private outEnd = 0;
  /** Native replication: the replicated extended-protocol batch (replication-hook.ts). */
  private rep: ExtendedReplication | null = null;

  constructor(private readonly s: ClientSession) {}

  // Output batching: consecutive messages to one node become one write per client chunk.
  private send(targets: BackendLink[], buf: Buffer, start: number, end: number): void {
    if (targets.length === 1) {
      const l = targets[0]!;
      if (this.outLink === l && this.outBuf === buf && this.outEnd === start) {
        this.outEnd = end;
        return;
      }
      this.flushOut();
      this.outLink = l;
      this.outBuf = buf;
      this.outStart = start;
      this.outEnd = end;
      return;
    }
    this.flushOut();
    for (const l of targets) this.s.writeBackend(l, buf.subarray(start, end));
  }

  flushOut(): void {
    if (!this.outLink || !this.outBuf) return;
    const l = this.outLink;
    // The usual case (one client chunk = one batch to one node) writes the chunk itself: no view allocated.
    const whole = this.outStart === 0 && this.outEnd === this.outBuf.length;
    const b = whole ? this.outBuf : this.outBuf.subarray(this.outStart, this.outEnd);
    this.outLink = null;
    this.outBuf = null;
    this.s.writeBackend(l, b);
  }

  // FrameHandler ----------------------------------------------------------------------------------------------------

  prefixWanted(type: number, total: number): number {
    switch (type) {
      case FrontendType.Query:
      case FrontendType.Parse:
      case FrontendType.FunctionCall:
        return total;
      case FrontendType.Bind:
        return total <= WHOLE_BIND_LIMIT ? total : BIND_PREFIX;
      case FrontendType.CopyData:
        return 5;
      case FrontendType.Sync:
      case FrontendType.Flush:
      case FrontendType.Terminate:
      case FrontendType.CopyDone:
        if (total !== 5)
          throw new ProtocolError(`invalid message length ${total - 1} for message type ${type}`);
        return total;
      case FrontendType.Describe:
      case FrontendType.Execute:
      case FrontendType.Close:
      case FrontendType.CopyFail:
        if (total > SMALL_MESSAGE_LIMIT)
          throw new ProtocolError(`invalid message length ${total - 1} for message type ${type}`);
        return total;
      default:
        throw new ProtocolError(`invalid frontend message type ${type}`);
    }
  }

  onMessage(type: number, buf: Buffer, start: number, end: number): void {
    if (!this.dispatch({ type, buf, start, end, piece: null })) this.s.block();
  }

  onPiece(type: number, buf: Buffer, start: number, end: number, first: boolean, last: boolean): void {
    if (!first) {
      if (this.rep?.takePiece(buf, start, end, last)) return;
      if (!this.skipUntilSync) this.send(this.pieceTargets, buf, start, end);
      return;
    }
    if (!this.dispatch({ type, buf, start, end, piece: { first, last } })) this.s.block();
  }

  /** Re-runs the message that blocked; false if it blocked again. */
  redispatch(): boolean {
    const d = this.deferred;
    if (!d) return true;
    this.deferred = null;
    if (this.dispatch(d)) return true;
    this.s.block();
    return false;
  }

  private defer(d: Deferred): false {
    this.deferred = d;
    return false;
  }

  /** Waits for a promise, then resumes the client (or fails the session). */
  private waitFor<T>(d: Deferred, p: Promise<T>, after?: (v: T) => void): false {
    p.then(
      (v) => {
        after?.(v);
        this.s.unblock();
      },
      (e: unknown) => {
        this.s.svc.logger.warn('cannot continue session', {
          session: this.s.id,
          error: (e as Error).message,
        });
        this.s.terminate(
          `pgwarden cannot serve this statement: ${(e as Error).message}`,
          SqlState.ConnectionFailure,
        );
      },
    );
    return this.defer(d);
  }

  private waitIdle(d: Deferred): false {
    this.s.whenIdle(() => queueMicrotask(() => this.s.unblock()));
    return this.defer(d);
  }

  // Routing ---------------------------------------------------------------------------------------------------------

  private classify(d: Deferred, sql: string): StatementClass | false {
    if (this.classified?.sql === sql) {
      const c = this.classified.cls;
      this.classified = null;
      return c;
    }
    const c = this.s.svc.router.classify(sql, { database: this.s.database, tracking: this.s.ctx.tracking });
    if (c instanceof Promise) return this.waitFor(d, c, (cls) => (this.classified = { sql, cls }));
    return c;
  }

  private route(cls: StatementClass, sql: string): StatementRoute {
    const r = this.s.svc.router.route(cls, this.s.ctx, sql);
    applyRoute(this.s.ctx, r);
    for (const n of r.targets) {
      const c = this.s.svc.state.node(n)?.counters;
      if (c) c[cls.counter]++;
    }
    this.s.queries++;
    return r;
  }

  private links(d: Deferred, ids: number[]): BackendLink[] | false {
    if (ids.length === 0 || ids.some((n) => n < 0)) {
      this.s.terminate('no backend node is available for this statement', SqlState.ConnectionFailure);
      return false;
    }
    const l = this.s.ensureLinks(ids);
    if (l instanceof Promise) return this.waitFor(d, l);
    return l;
  }

  /** Ends the open batch with pgwarden's own Sync on its nodes (node switch); the client waits for it. */
  private closeBatchEarly(d: Deferred): false {
    if (this.rep?.active) {
      const rep = this.rep;
      this.batchReply = null;
      void rep.sync('internal').then((failed) => {
        if (failed) this.skipUntilSync = true;
        if (failed !== null) queueMicrotask(() => this.s.unblock());
      });
      return this.defer(d);
    }
    const exps = [...this.batch.values()];
    for (const [link, e] of this.batch) {
      e.forwardZ = false;
      this.send([link], SYNC, 0, SYNC.length);
    }
    this.batch.clear();
    this.batchReply = null;
    this.s.whenIdle(() => {
      if (exps.some((e) => e.forward && e.sawError)) this.skipUntilSync = true;
      queueMicrotask(() => this.s.unblock());
    });
    return this.defer(d);
  }

  private joinBatch(targets: BackendLink[], reply: BackendLink, d: Deferred): void {
    if (!this.batchReply) this.batchReply = reply;
    for (const t of targets)
      if (!this.batch.has(t)) this.batch.set(t, this.s.newExpectation(t, t === this.batchReply));
    this.lastTargets = targets;
    if (d.piece && !d.piece.last) this.pieceTargets = targets;
    this.send(targets, d.buf, d.start, d.end);
  }

  /** joinBatch, or the replicated batch in native replication mode (writes: main node first, then the others). */
  private join(targets: BackendLink[], reply: BackendLink, d: Deferred, sql: string | null): boolean {
    if (this.rep?.active || ExtendedReplication.wants(this.s, targets, sql)) {
      if (this.batch.size > 0) return this.closeBatchEarly(d);
      this.rep ??= new ExtendedReplication(this.s);
      this.flushOut();
      this.batchReply = reply;
      this.lastTargets = targets;
      return this.rep.add(targets, reply, d.buf, d.start, d.end, !d.piece || d.piece.last);
    }
    this.joinBatch(targets, reply, d);
    return true;
  }

  /** Bind/Describe/Execute/Close: go where their statement or portal lives. */
  private follow(d: Deferred, targets: BackendLink[] | undefined): boolean {
    const t = targets && targets.every((l) => !l.conn.closed) ? targets : this.fallbackTargets();
    if (t.length === 0) return this.failNoNode();
    if (this.batchReply && !t.includes(this.batchReply)) return this.closeBatchEarly(d);
    return this.join(t, this.batchReply ?? t[0]!, d, null);
  }

  private fallbackTargets(): BackendLink[] {
    const l = this.batchReply ?? this.s.defaultLink();
    return l ? [l] : [];
  }

  private failNoNode(): false {
    this.s.terminate('no backend connection is available', SqlState.ConnectionFailure);
    return false;
  }

  /** Returns false when the message must wait (it is kept and re-dispatched). */
  private dispatch(d: Deferred): boolean {
    const { type, buf, start, end } = d;
    if (this.skipUntilSync && type !== FrontendType.Sync) return true;
    switch (type) {
      case FrontendType.Query:
      case FrontendType.FunctionCall:
        return this.simple(d);
      case FrontendType.Parse: {
        const m = decodeFrontend(buf, start, end);
        if (m.name !== 'parse') return true;
        const cls = this.classify(d, m.sql);
        if (cls === false) return false;
        const r = this.route(cls, m.sql);
        let ids = r.targets;
        let reply = r.replyFrom;
        if (this.batchReply && reply !== this.batchReply.nodeId) {
          if (cls.kind === 'read') {
            ids = [this.batchReply.nodeId];
            reply = this.batchReply.nodeId;
          } else return this.closeBatchEarly(d);
        }
        const links = this.links(d, ids);
        if (links === false) return false;
        this.statements.set(m.statement, links);
        return this.join(links, links.find((l) => l.nodeId === reply) ?? links[0]!, d, m.sql);
      }
      case FrontendType.Bind: {
        const names = decodeBindNames(buf, start, end);
        const ok = this.follow(d, this.statements.get(names.statement));
        if (ok) this.portals.set(names.portal, this.lastTargets);
        return ok;
      }
      case FrontendType.Describe:
      case FrontendType.Close: {
        const m = decodeFrontend(buf, start, end);
        if (m.name !== 'describe' && m.name !== 'close') return true;
        const map = m.kind === 'S' ? this.statements : this.portals;
        const ok = this.follow(d, map.get(m.target));
        if (ok && m.name === 'close') map.delete(m.target);
        return ok;
      }
      case FrontendType.Execute: {
        const m = decodeFrontend(buf, start, end);
        return m.name === 'execute' ? this.follow(d, this.portals.get(m.portal)) : true;
      }
      case FrontendType.Sync:
        return this.sync(d);
      case FrontendType.Flush: {
        if (this.rep?.active) {
          this.rep.flush();
          return true;
        }
        const t = this.batch.size > 0 ? [...this.batch.keys()] : this.fallbackTargets();
        this.send(t, buf, start, end);
        return true;
      }
      case FrontendType.CopyData:
      case FrontendType.CopyDone:
      case FrontendType.CopyFail: {
        const t = this.lastTargets.filter((l) => !l.conn.closed);
        if (d.piece && !d.piece.last) this.pieceTargets = t;
        this.send(t, buf, start, end);
        return true;
      }
      case FrontendType.Terminate:
        this.s.end('client sent Terminate');
        return false;
      default:
        throw new ProtocolError(`invalid frontend message type ${type}`);
    }
  }

  private sync(d: Deferred): boolean {
    if (this.skipUntilSync) {
      // Answer the skipped batch's Sync ourselves, after everything before it was answered.
      if (!this.s.isIdle()) return this.waitIdle(d);
      this.skipUntilSync = false;
      this.s.writeClient(readyForQuery(this.s.txStatus));
      return true;
    }
    if (this.rep?.active) {
      this.batchReply = null;
      this.s.block();
      void this.rep.sync('client').then((failed) => {
        if (failed !== null) this.s.unblock();
      });
      return true;
    }
    if (this.batch.size === 0) {
      const l = this.s.defaultLink();
      if (!l) return this.failNoNode();
      this.batch.set(l, this.s.newExpectation(l, true));
    }
    for (const link of this.batch.keys()) this.send([link], d.buf, d.start, d.end);
    this.batch.clear();
    this.batchReply = null;
    return true;
  }

  private simple(d: Deferred): boolean {
    const { type, buf, start, end } = d;
    if (this.batch.size > 0 || this.rep?.active) return this.closeBatchEarly(d);
    let cls: StatementClass | false = FUNCTION_CALL_CLASS;
    let sql = '';
    if (type === FrontendType.Query) {
      const m = decodeFrontend(buf, start, end);
      sql = m.name === 'query' ? m.sql : '';
      cls = this.classify(d, sql);
      if (cls === false) return false;
      if (cls.admin && this.s.svc.admin) return this.admin(d, cls.admin);
    }
    const r = this.route(cls, sql);
    const links = this.links(d, r.targets);
    if (links === false) return false;
    if (type === FrontendType.Query && replicates(this.s, r, cls, sql)) {
      this.flushOut();
      this.lastTargets = links;
      return replicate(this.s, r, cls, sql);
    }
    if (r.commitOrder === 'others_first' && links.length > 1) {
      this.flushOut();
      this.lastTargets = links;
      return othersFirst(this.s, links, r.replyFrom, d.buf.subarray(d.start, d.end));
    }
    // COPY FROM STDIN waits for the client's data on every node, so it cannot be serialized node by node.
    if (cls.kind === 'write' && links.length > 1 && !COPY_RE.test(sql)) {
      this.flushOut();
      this.lastTargets = links;
      return mainFirst(this.s, links, r.replyFrom, d.buf.subarray(d.start, d.end));
    }
    for (const l of links) this.s.newExpectation(l, l.nodeId === r.replyFrom);
    if (!links.some((l) => l.nodeId === r.replyFrom)) {
      // A router bug must not leave the client without an answer: let the first target answer.
      this.s.fwdQueue.push(...links[0]!.expect.slice(-1).map((e) => ((e.forward = true), e)));
    }
    this.lastTargets = links;
    this.send(links, buf, start, end);
    return true;
  }

  /** Admin commands are answered by pgwarden once earlier statements have been answered (reference §2). */
  private admin(d: Deferred, cmd: { command: string; args: string[] }): boolean {
    if (!this.s.isIdle()) return this.waitIdle(d);
    if (runAdminCommand(this.s, cmd) === 'pending') {
      this.deferred = null;
      this.s.block();
    }
    return true;
  }
}
