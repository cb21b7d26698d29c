/**
 * Native replication (server/engine/replication, reference §4.1–§4.3): a simple Query routed to several nodes runs
 * through the replication runner, which plans it (internal transaction, insert lock, now() rewrite), runs it on the
 * main node then the others over captured expectations (backend-link.ts `capture`), compares the replies and writes
 * the client's answer. The client is blocked meanwhile; the statement starts once earlier ones were answered.
 */
import { errorResponse, noticeResponse, readyForQuery } from '../protocol/backend-builders';
import { BackendType, FrontendType, SqlState, type TxStatus } from '../protocol/constants';
import {
  copyFail,
  flush as flushMessage,
  parse as parseMessage,
  sync as syncMessage,
} from '../protocol/frontend-builders';
import { decodeBindNames, decodeFrontend } from '../protocol/messages';
import { POOL_ERROR_QUERY } from '../replication/executor';
import {
  appendBindParam,
  decodeParse,
  dropLastParamType,
  encodeParse,
  executeOutcomes,
  expectsCompletion,
  isCompletion,
  parameterizeNow,
} from '../replication/extended';
import type { LockStatement } from '../replication/insert-lock';
import { createLinkChannel } from '../replication/link-channel';
import { checkOutcomes, type MismatchDecision, type NodeOutcome } from '../replication/mismatch';
import {
  insertLockFor,
  prepareWrite,
  requestDetach,
  runReplicated,
  takesStatement,
} from '../replication/runner';
import type { StatementClass, StatementRoute } from '../router/types';
import type { BackendLink } from './backend-link';
import { applyStatus } from './route-context';
import type { ClientSession } from './session';

const SYNC = syncMessage();
const FLUSH = flushMessage();

/** True when the runner handles this statement (native replication mode, several targets, not COPY). */
export function replicates(s: ClientSession, r: StatementRoute, cls: StatementClass, sql: string): boolean {
  return s.svc.state.mode === 'native_replication' && takesStatement(r, cls, sql);
}

export function replicate(s: ClientSession, r: StatementRoute, cls: StatementClass, sql: string): true {
  const channel = createLinkChannel({
    send: (nodeId, message, onFrame) => {
      const link = s.links.get(nodeId);
      if (!link || link.conn.closed) return false;
      const e = s.newExpectation(link, false);
      e.forwardZ = false;
      e.capture = onFrame;
      s.writeBackend(link, message);
      return true;
    },
  });
  s.block();
  s.whenIdle(() => {
    const host = {
      channel,
      config: s.svc.config,
      state: s.svc.state,
      logger: s.svc.logger,
      database: s.database,
      inTransaction: s.txStatus !== 'I',
      writeClient: (b: Buffer) => s.writeClient(b),
      endSession: (reason: string) => s.end(reason),
    };
    runReplicated(host, r, cls, sql).then(
      (status) => {
        if (status === null || s.closed) return;
        s.txStatus = status;
        applyStatus(s.ctx, status);
        s.unblock();
      },
      (e: unknown) =>
        s.terminate(`native replication failed: ${(e as Error).message}`, SqlState.ConnectionFailure),
    );
  });
  return true;
}

// Extended protocol ------------------------------------------------------------------------------------------------

interface RepMsg {
  type: number;
  bytes: Buffer;
  /** Also for the other nodes (the message's targets were several nodes). */
  others: boolean;
}

interface NodeRun {
  link: BackendLink;
  frames: Buffer[];
  wanted: number;
  seen: number;
  error: boolean;
  ready: Buffer | null;
  wake: (() => void) | null;
}

const COPY_START = /^\s*copy\s/i;
const TX_END = /^\s*(commit|end|rollback|abort)\b/i;
const TX_CONTROL = /^\s*(begin|start|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i;
const parseSql = (m: RepMsg): string => decodeParse(m.bytes).sql;
const INSERT_START = /^\s*(\/\*[\s\S]*?\*\/\s*)*insert\b/i;

/**
 * One session's replicated extended-protocol batches (native replication, reference §4.1). Messages from a write's
 * Parse (routed to several nodes) up to Sync are kept; at Sync they run on the main node (with Flush, so its
 * transaction stays open), then, when the main node succeeded, on the others; each Execute's result is compared
 * (mismatch.ts); then Sync goes to the others and last to the main node, whose answer the client gets. Time calls
 * in a write's Parse become an extra parameter filled in every Bind with the main node's now() (extended.ts).
 *
 * A client Flush sends what is kept to the main node at once and lets its answers through (the others still run
 * at Sync; a mismatch found then can only detach or abort, the client already saw the main node's rows).
 */
export class ExtendedReplication {
  private msgs: RepMsg[] = [];
  private main: BackendLink | null = null;
  private readonly others: BackendLink[] = [];
  private mainRun: NodeRun | null = null;
  private sentMain = 0;
  private streamed = false;
  private now: string | null = null;
  private refusal: Buffer | null = null;
  private readonly notices: Buffer[] = [];
  private piece: Buffer[] | null = null;
  private pieceOthers = false;
  /** Describe S answered by the main node: drop the parameter pgwarden added (per Describe, in order). */
  private trim: boolean[] = [];
  /** Statements whose Parse got the extra now() parameter, and its number. */
  private readonly nowParam = new Map<string, number>();
  private readonly stmtSql = new Map<string, string>();
  private readonly portalSql = new Map<string, string>();
  private execSql: string[] = [];
  /** pgwarden opened a transaction around this batch for insert_lock (start_internal_transaction). */
  private internal = false;
  /** Messages up to here were rewritten by prepare(). */
  private preparedUpTo = 0;

  constructor(private readonly s: ClientSession) {}

  get active(): boolean {
    return this.main !== null;
  }

  /** True when a message for these targets starts (or joins) a replicated batch. */
  static wants(s: ClientSession, targets: BackendLink[], sql: string | null): boolean {
    return s.svc.state.mode === 'native_replication' && targets.length > 1 && !(sql && COPY_START.test(sql));
  }

  /** Keeps one client message (a Bind may come in pieces: takePiece). */
  add(
    targets: BackendLink[],
    main: BackendLink,
    buf: Buffer,
    start: number,
    end: number,
    whole: boolean,
  ): true {
    this.main ??= main;
    const others = targets.some((l) => l !== this.main);
    for (const l of targets) if (l !== this.main && !this.others.includes(l)) this.others.push(l);
    const bytes = Buffer.from(buf.subarray(start, end));
    if (!whole) {
      this.piece = [bytes];
      this.pieceOthers = others;
      return true;
    }
    this.msgs.push({ type: bytes[0]!, bytes, others });
    return true;
  }

  /** A later piece of a kept message; false when no message is being kept. */
  takePiece(buf: Buffer, start: number, end: number, last: boolean): boolean {
    if (!this.piece) return false;
    this.piece.push(Buffer.from(buf.subarray(start, end)));
    if (last) {
      const bytes = Buffer.concat(this.piece);
      this.piece = null;
      this.msgs.push({ type: bytes[0]!, bytes, others: this.pieceOthers });
    }
    return true;
  }

  /** Client Flush: what is kept goes to the main node now and its answers stream to the client. */
  flush(): void {
    // The client waits until the kept messages are on the main node (a Sync right after must not overtake them).
    this.s.block();
    const go = (): void => {
      this.sendMain(FLUSH)
        .then(() => {
          this.streamed = true;
          const run = this.mainRun;
          if (run) for (const f of run.frames.splice(0)) this.s.writeClient(this.clientFrame(f));
          this.s.unblock();
        })
        .catch((e: unknown) => this.fail(e));
    };
    if (this.mainRun) go();
    else this.s.whenIdle(go);
  }

  /**
   * Runs the batch. `client`: the client's Sync (its ReadyForQuery is the answer); `internal`: pgwarden ends the
   * batch before a message for another node (the ReadyForQuery is swallowed). Resolves with whether the batch
   * failed (the client's later messages up to its Sync are then skipped), null when the session was ended.
   */
  sync(mode: 'client' | 'internal'): Promise<boolean | null> {
    return new Promise((resolve) => {
      const go = (): void => {
        this.runBatch(mode).then(resolve, (e: unknown) => {
          this.fail(e);
          resolve(null);
        });
      };
      if (this.mainRun) go();
      else this.s.whenIdle(go);
    });
  }

  private fail(e: unknown): void {
    this.reset();
    if (!this.s.closed)
      this.s.terminate(`native replication failed: ${(e as Error).message}`, SqlState.ConnectionFailure);
  }

  private reset(): void {
    this.msgs = [];
    this.main = null;
    this.others.length = 0;
    this.mainRun = null;
    this.sentMain = 0;
    this.streamed = false;
    this.now = null;
    this.refusal = null;
    this.notices.length = 0;
    this.piece = null;
    this.trim = [];
    this.execSql = [];
    this.internal = false;
    this.preparedUpTo = 0;
  }

  private host() {
    const s = this.s;
    return {
      channel: createLinkChannel({
        send: (nodeId, message, onFrame) => {
          const link = s.links.get(nodeId);
          if (!link || link.conn.closed) return false;
          const e = s.newExpectation(link, false);
          e.forwardZ = false;
          e.capture = onFrame;
          s.writeBackend(link, message);
          return true;
        },
      }),
      config: s.svc.config,
      state: s.svc.state,
      logger: s.svc.logger,
      database: s.database,
      inTransaction: s.txStatus !== 'I',
      writeClient: (b: Buffer) => s.writeClient(b),
      endSession: (reason: string) => s.end(reason),
    };
  }

  /** Rewrites the kept messages not yet sent (time calls, Bind parameters) and notes the Execute statements. */
  private async prepare(from: number): Promise<void> {
    const main = this.main!;
    const quiet = this.sentMain === 0; // nothing of this batch on the main node yet: lookups may run there
    const start = Math.max(from, this.preparedUpTo);
    this.preparedUpTo = this.msgs.length;
    for (let i = start; i < this.msgs.length; i++) {
      const m = this.msgs[i]!;
      if (m.type === FrontendType.Parse) {
        const p = decodeParse(m.bytes);
        this.stmtSql.set(p.statement, p.sql);
        this.nowParam.delete(p.statement);
        if (!m.others || !quiet) continue;
        const prepared = await prepareWrite(this.host(), main.nodeId, p.sql);
        if (prepared?.refusal) {
          this.refusal = errorResponse(prepared.refusal);
          return;
        }
        if (prepared?.warning) {
          this.s.svc.logger.warn(prepared.warning.message);
          this.notices.push(noticeResponse(prepared.warning));
        }
        if (!prepared?.needsNow) continue;
        const r = parameterizeNow(p.sql, p.paramTypes, (now) => prepared.rewrite(now));
        m.bytes = encodeParse({ ...p, sql: r.sql });
        this.nowParam.set(p.statement, r.param);
      } else if (m.type === FrontendType.Bind) {
        const names = decodeBindNames(m.bytes, 0, m.bytes.length);
        this.portalSql.set(names.portal, this.stmtSql.get(names.statement) ?? '');
        const param = this.nowParam.get(names.statement);
        if (param === undefined) continue;
        m.bytes = appendBindParam(m.bytes, param, await this.mainNow(quiet));
      } else if (m.type === FrontendType.Describe) {
        const d = decodeFrontend(m.bytes, 0, m.bytes.length);
        if (d.name === 'describe' && d.kind === 'S') this.trim.push(this.nowParam.has(d.target));
      } else if (m.type === FrontendType.Execute) {
        const d = decodeFrontend(m.bytes, 0, m.bytes.length);
        if (d.name === 'execute') this.execSql.push(this.portalSql.get(d.portal) ?? '');
      } else if (m.type === FrontendType.Close) {
        const d = decodeFrontend(m.bytes, 0, m.bytes.length);
        if (d.name === 'close' && d.kind === 'S') {
          this.nowParam.delete(d.target);
          this.stmtSql.delete(d.target);
        } else if (d.name === 'close') this.portalSql.delete(d.target);
      }
    }
  }

  /** The main node's now() for this batch (one `SELECT now()` there before the batch's first message). */
  private async mainNow(quiet: boolean): Promise<string> {
    if (this.now !== null) return this.now;
    if (quiet) {
      const r = await this.host().channel.run(this.main!.nodeId, 'SELECT pg_catalog.now()');
      if (r.firstValue !== null) this.now = r.firstValue;
    }
    if (this.now === null) {
      // The batch already runs on the main node (after a client Flush): pgwarden's clock, the same on every node.
      this.now = new Date().toISOString();
      this.s.svc.logger.warn('native replication: now() taken from pgwarden, the main node was busy', {
        session: this.s.id,
      });
    }
    return this.now;
  }

  private newRun(link: BackendLink, onFrame: (run: NodeRun, f: Buffer) => void): NodeRun {
    const run: NodeRun = { link, frames: [], wanted: 0, seen: 0, error: false, ready: null, wake: null };
    const e = this.s.newExpectation(link, false);
    e.forwardZ = false;
    e.capture = (f) => onFrame(run, f);
    return run;
  }

  private readonly onFrame = (run: NodeRun, f: Buffer): void => {
    const t = f[0]!;
    if (t === BackendType.ReadyForQuery) run.ready = f;
    else {
      if (t === BackendType.ErrorResponse) run.error = true;
      else if (isCompletion(t)) run.seen++;
      else if (t === BackendType.CopyInResponse || t === BackendType.CopyBothResponse)
        this.s.writeBackend(
          run.link,
          copyFail('COPY through the extended protocol is not replicated by pgwarden'),
        );
      if (run === this.mainRun && this.streamed) this.s.writeClient(this.clientFrame(f));
      else run.frames.push(f);
    }
    const w = run.wake;
    if (w) w();
  };

  /** ParameterDescription of a Describe S: without the added parameter. */
  private clientFrame(f: Buffer): Buffer {
    if (f[0] !== BackendType.ParameterDescription) return f;
    return this.trim.shift() ? dropLastParamType(f) : f;
  }

  private until(run: NodeRun, done: () => boolean): Promise<void> {
    const socket = run.link.conn.socket;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const ok = done();
        if (!ok && !run.link.conn.closed && !this.s.closed) return;
        run.wake = null;
        socket.off('close', check);
        if (ok) resolve();
        else reject(new Error(`backend node ${run.link.nodeId} closed the connection`));
      };
      run.wake = check;
      socket.on('close', check);
      check();
    });
  }

  private answered(run: NodeRun): Promise<void> {
    return this.until(run, () => run.error || run.seen >= run.wanted);
  }

  private ready(run: NodeRun): Promise<void> {
    return this.until(run, () => run.ready !== null);
  }

  /**
   * insert_lock (reference §4.3) for the batch's INSERTs into tables with a nextval default: the lock statements
   * (row lock on the main node, or LOCK TABLE on every node) before the batch, inside the client's transaction or,
   * outside one, an internal transaction pgwarden commits after the batch (others first, then the main node).
   */
  private async insertLock(): Promise<void> {
    if (this.s.txStatus === 'E') return;
    const main = this.main!.nodeId;
    const host = this.host();
    const locks = new Map<string, LockStatement>();
    for (const sql of new Set(this.execSql))
      if (INSERT_START.test(sql))
        for (const l of (await insertLockFor(host, main, sql).catch(() => null)) ?? []) locks.set(l.sql, l);
    if (locks.size === 0) return;
    const others = this.others.filter((l) => !l.conn.closed).map((l) => l.nodeId);
    const ch = host.channel;
    if (this.s.txStatus === 'I') {
      await Promise.all([main, ...others].map((n) => ch.run(n, 'BEGIN')));
      this.internal = true;
    }
    for (const l of locks.values()) {
      for (const n of l.allNodes ? [main, ...others] : [main]) {
        const r = await ch.run(n, l.sql);
        if (r.outcome.error !== undefined)
          this.s.svc.logger.warn('insert_lock failed', { node: n, statement: l.sql, error: r.outcome.error });
        else if (n === main && l.whenNoRows && r.firstValue === null)
          for (const w of l.whenNoRows) await ch.run(main, w.sql);
      }
    }
  }

  /** Ends pgwarden's internal transaction: COMMIT on the others then the main node, or ROLLBACK everywhere. */
  private async endInternal(commit: boolean): Promise<TxStatus> {
    const ch = this.host().channel;
    const main = this.main!.nodeId;
    const others = this.others.filter((l) => !l.conn.closed).map((l) => l.nodeId);
    if (!commit) {
      const r = await Promise.all([main, ...others].map((n) => ch.run(n, 'ROLLBACK')));
      return r[0]!.status;
    }
    await Promise.all(others.map((n) => ch.run(n, 'COMMIT')));
    const m = await ch.run(main, 'COMMIT');
    if (m.outcome.error !== undefined)
      this.notices.push(errorResponse({ severity: 'ERROR', code: 'XX000', message: m.outcome.error }));
    return m.status;
  }

  /** Sends the kept messages not yet on the main node, then `tail` (Flush or Sync); waits for their answers. */
  private async sendMain(tail: Buffer): Promise<void> {
    const from = this.sentMain;
    const quiet = from === 0;
    await this.prepare(from);
    if (this.refusal) return;
    if (quiet) await this.insertLock();
    const main = this.main!;
    this.mainRun ??= this.newRun(main, this.onFrame);
    const out: Buffer[] = [];
    for (const m of this.msgs.slice(from)) {
      out.push(m.bytes);
      if (expectsCompletion(m.type)) this.mainRun.wanted++;
    }
    this.sentMain = this.msgs.length;
    out.push(tail);
    this.s.writeBackend(main, Buffer.concat(out));
    if (tail !== SYNC) await this.answered(this.mainRun);
  }

  private async runBatch(mode: 'client' | 'internal'): Promise<boolean | null> {
    const s = this.s;
    if (this.piece) throw new Error('batch ended inside a message');
    const host = this.host();
    if (this.sentMain === 0 && !this.streamed) {
      await this.prepare(0);
      const direct = this.refusal ? null : this.directOrder();
      if (direct) return this.runDirect(mode, direct);
    }
    await this.sendMain(FLUSH);
    const main = this.mainRun;
    const othersWanted = this.msgs.some((m) => m.others);
    const finish = async (frames: Buffer[], run: NodeRun | null): Promise<boolean> => {
      let status: TxStatus = s.txStatus;
      if (run) {
        s.writeBackend(run.link, SYNC);
        await this.ready(run);
        status = String.fromCharCode(run.ready![5]!) as TxStatus;
      }
      const failed = this.refusal !== null || (run?.error ?? false);
      if (this.internal) status = await this.endInternal(!failed);
      for (const f of this.notices) s.writeClient(f);
      if (!this.streamed) for (const f of frames) s.writeClient(this.clientFrame(f));
      if (mode === 'client') s.writeClient(readyForQuery(status));
      this.reset();
      s.txStatus = status;
      applyStatus(s.ctx, status);
      return failed;
    };
    if (this.refusal || !main) return finish(this.refusal ? [this.refusal] : [], main);
    if (main.error || !othersWanted) return finish(main.frames, main);
    // The main node succeeded: the same messages on the others.
    const runs: NodeRun[] = [];
    for (const l of this.others) {
      if (l.conn.closed) continue;
      const run = this.newRun(l, this.onFrame);
      const out: Buffer[] = [];
      for (const m of this.msgs)
        if (m.others) {
          out.push(m.bytes);
          if (expectsCompletion(m.type)) run.wanted++;
        }
      out.push(FLUSH);
      s.writeBackend(l, Buffer.concat(out));
      runs.push(run);
    }
    await Promise.all(runs.map((r) => this.answered(r)));
    const decision = this.compare(main, runs);
    if (decision.action === 'ok') {
      for (const r of runs) s.writeBackend(r.link, SYNC);
      await Promise.all(runs.map((r) => this.ready(r)));
      for (const r of runs)
        if (r.error)
          s.svc.logger.warn('native replication: Sync failed on a node whose answer was not forwarded', {
            node: r.link.nodeId,
          });
      return finish(main.frames, main);
    }
    // Mismatch: abort the batch everywhere (an invalid statement before Sync), then answer as pgpool does.
    const abort = Buffer.concat([parseMessage('', POOL_ERROR_QUERY), SYNC]);
    for (const r of [main, ...runs]) s.writeBackend(r.link, abort);
    await Promise.all([main, ...runs].map((r) => this.ready(r)));
    let status = String.fromCharCode(main.ready![5]!) as TxStatus;
    if (this.internal) status = await this.endInternal(false);
    if (decision.log) s.svc.logger.warn(decision.log);
    requestDetach(host, decision);
    for (const w of decision.warnings) s.writeClient(noticeResponse(w));
    if (decision.error) s.writeClient(errorResponse(decision.error));
    this.reset();
    if (decision.action === 'abort_transaction') {
      if (mode === 'client') s.writeClient(readyForQuery(status));
      s.txStatus = status;
      applyStatus(s.ctx, status);
      return true;
    }
    s.end(decision.reason?.message ?? 'native replication mismatch');
    return null;
  }

  /**
   * Batches that need no held Sync (2 round trips instead of 4): a transaction end (COMMIT/END/ROLLBACK: the others
   * first, the main node last, as pgpool), or statements inside the client's open transaction (Sync commits nothing:
   * main node first, then the others; a mismatch aborts the transaction with pgpool's invalid statement).
   */
  private directOrder(): 'others_first' | 'main_first' | null {
    if (this.execSql.length === 0 || !this.msgs.every((m) => m.others)) return null;
    const texts = [...this.execSql, ...this.msgs.filter((m) => m.type === FrontendType.Parse).map(parseSql)];
    if (this.execSql.every((q) => TX_END.test(q)) && texts.every((q) => TX_END.test(q)))
      return 'others_first';
    if (this.s.txStatus === 'T' && !texts.some((q) => TX_CONTROL.test(q))) return 'main_first';
    return null;
  }

  private async runDirect(
    mode: 'client' | 'internal',
    order: 'others_first' | 'main_first',
  ): Promise<boolean | null> {
    const s = this.s;
    const host = this.host();
    if (order === 'main_first') await this.insertLock();
    const batch = Buffer.concat([...this.msgs.map((m) => m.bytes), SYNC]);
    const wanted = this.msgs.filter((m) => expectsCompletion(m.type)).length;
    const start = (l: BackendLink): NodeRun => {
      const run = this.newRun(l, this.onFrame);
      run.wanted = wanted;
      s.writeBackend(l, batch);
      return run;
    };
    const others = this.others.filter((l) => !l.conn.closed);
    let runs: NodeRun[] = [];
    let main: NodeRun;
    if (order === 'others_first') {
      runs = others.map(start);
      await Promise.all(runs.map((r) => this.ready(r)));
      main = start(this.main!);
      this.mainRun = main;
      await this.ready(main);
    } else {
      main = start(this.main!);
      this.mainRun = main;
      await this.ready(main);
      if (!main.error) {
        runs = others.map(start);
        await Promise.all(runs.map((r) => this.ready(r)));
      }
    }
    let status = String.fromCharCode(main.ready![5]!) as TxStatus;
    const decision = main.error && order === 'main_first' ? null : this.compare(main, runs);
    const answer = (frames: Buffer[]): boolean => {
      for (const f of this.notices) s.writeClient(f);
      for (const f of frames) s.writeClient(this.clientFrame(f));
      if (mode === 'client') s.writeClient(readyForQuery(status));
      const failed = main.error;
      this.reset();
      s.txStatus = status;
      applyStatus(s.ctx, status);
      return failed;
    };
    if (!decision || decision.action === 'ok') return answer(main.frames);
    if (decision.log) s.svc.logger.warn(decision.log);
    requestDetach(host, decision);
    if (decision.action === 'abort_transaction') {
      // pgpool do_error_command: the transaction fails on every node, the client sees XX001.
      if (status !== 'I') {
        await Promise.all([main, ...runs].map((r) => host.channel.run(r.link.nodeId, POOL_ERROR_QUERY)));
        status = 'E';
      }
      const frames = decision.warnings.map((w) => noticeResponse(w));
      if (decision.error) frames.push(errorResponse(decision.error));
      return answer(frames);
    }
    for (const w of decision.warnings) s.writeClient(noticeResponse(w));
    if (decision.error) s.writeClient(errorResponse(decision.error));
    this.reset();
    s.end(decision.reason?.message ?? 'native replication mismatch');
    return null;
  }

  private compare(main: NodeRun, runs: NodeRun[]): MismatchDecision {
    const mainOut = executeOutcomes(main.link.nodeId, main.frames);
    const lists = runs.map((r) => executeOutcomes(r.link.nodeId, r.frames));
    const n = Math.max(mainOut.length, ...lists.map((l) => l.length));
    const s = this.s;
    for (let k = 0; k < n; k++) {
      const at = (l: NodeOutcome[]): NodeOutcome | undefined => l[k] ?? l.at(-1);
      const outcomes = [at(mainOut), ...lists.map(at)].filter((o): o is NodeOutcome => o !== undefined);
      const query = this.execSql[k] ?? '';
      const d = checkOutcomes({
        outcomes,
        mainNodeId: main.link.nodeId,
        numBackends: s.svc.state.nodes.length,
        query,
        isCommit: /^\s*(commit|end)\b/i.test(query),
        settings: {
          replication_stop_on_mismatch: s.svc.config.replication_stop_on_mismatch,
          failover_if_affected_tuples_mismatch: s.svc.config.failover_if_affected_tuples_mismatch,
        },
      });
      if (d.action !== 'ok') return d;
    }
    return checkOutcomes({
      outcomes: [],
      mainNodeId: 0,
      numBackends: 0,
      query: '',
      settings: { replication_stop_on_mismatch: false, failover_if_affected_tuples_mismatch: false },
    });
  }
}
