/**
 * Runs an intercepted admin command (SHOW pool_*, PGPOOL SET/SHOW/RESET; reference §2) for a session and writes the
 * answer with its ReadyForQuery. The session is idle when this is called, so the answer lands in order.
 */
import { routeOverrides } from '../admin/params';
import { SqlState } from '../protocol/constants';
import { encodeAdminResult, type AdminResult } from './admin-hook';
import type { ClientSession } from './session';

/** 'done' when answered synchronously; 'pending' when the handler is async (the session unblocks itself after). */
export function runAdminCommand(
  s: ClientSession,
  cmd: { command: string; args: string[] },
): 'done' | 'pending' {
  const info = {
    sessionId: s.id,
    poolPid: s.init.slot + 1, // SHOW pool_processes/pool_pools: the asking slot is 'Execute command'
    user: s.user,
    database: s.database,
    applicationName: s.ctx.applicationName,
    loadBalanceNode: s.ctx.loadBalanceNode,
    overrides: s.adminOverrides,
  };
  const write = (r: AdminResult): void => {
    // PGPOOL SET/RESET changed the session's overrides: the router sees them from the next statement on.
    s.ctx.overrides = routeOverrides(s.adminOverrides);
    s.writeClient(encodeAdminResult(r, s.txStatus));
  };
  const fail = (e: unknown): void =>
    s.localError({ severity: 'ERROR', code: SqlState.InternalError, message: (e as Error).message }, true);
  try {
    const r = s.svc.admin!.handle(cmd.command, cmd.args, info);
    if (!(r instanceof Promise)) {
      write(r);
      return 'done';
    }
    r.then(write, fail).finally(() => s.unblock());
    return 'pending';
  } catch (e) {
    fail(e);
    return 'done';
  }
}
