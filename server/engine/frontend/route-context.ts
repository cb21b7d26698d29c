/**
 * Keeps the session's SessionRouteContext (router/types.ts) current. The router needs transaction facts *when the
 * next statement is routed*, which with pipelining is before earlier statements are answered: so transaction
 * control is applied eagerly from the statement class at routing time, and the backend's ReadyForQuery status
 * (the truth) is applied only when nothing else is in flight, i.e. when it describes the latest state.
 */
import type { TxStatus } from '../protocol/constants';
import type { SessionRouteContext, StatementRoute } from '../router/types';

function endTransaction(ctx: SessionRouteContext): void {
  if (ctx.txWrote) ctx.sessionWroteInTransaction = true;
  ctx.inTransaction = false;
  ctx.txWrote = false;
  ctx.txFailed = false;
  ctx.serializable = false;
}

/** Effects of a statement the session is about to send (route() already decided its targets). */
export function applyRoute(ctx: SessionRouteContext, r: StatementRoute): void {
  const cls = r.cls;
  if (cls.txEffect === 'begin') ctx.inTransaction = true;
  if (r.marksWrite) {
    ctx.sessionWrote = true;
    if (ctx.inTransaction) ctx.txWrote = true;
  }
  if (cls.facts?.setsSerializable) ctx.serializable = true;
  if (cls.txEffect === 'commit' || cls.txEffect === 'rollback' || cls.txEffect === 'prepare')
    endTransaction(ctx);
  if (r.newLoadBalanceNode !== undefined) ctx.loadBalanceNode = r.newLoadBalanceNode;
}

/** ReadyForQuery status once the session is quiescent. */
export function applyStatus(ctx: SessionRouteContext, status: TxStatus): void {
  if (status === 'I') {
    if (ctx.inTransaction) endTransaction(ctx);
    return;
  }
  ctx.inTransaction = true;
  ctx.txFailed = status === 'E';
}
