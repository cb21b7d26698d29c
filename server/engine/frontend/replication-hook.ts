/**
 * Native replication (server/engine/replication, reference §4.1–§4.3): a simple Query routed to several nodes runs
 * through the replication runner, which plans it (internal transaction, insert lock, now() rewrite), runs it on the
 * main node then the others over captured expectations (backend-link.ts `capture`), compares the replies and writes
 * the client's answer. The client is blocked meanwhile; the statement starts once earlier ones were answered.
 */
import { SqlState } from '../protocol/constants';
import { createLinkChannel } from '../replication/link-channel';
import { runReplicated, takesStatement } from '../replication/runner';
import type { StatementClass, StatementRoute } from '../router/types';
import { applyStatus } from './route-context';
import type { ClientSession } from './session';

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
