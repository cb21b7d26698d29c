/**
 * The ClientGate over the proxy: block/unblock its Admission, count its sessions, and client_idle_limit_in_recovery.
 * The proxy closes sessions only all together or by node, not one by one, so -1 ("close idle clients at once") is
 * applied when every remaining session is idle (none in a transaction or running a statement): closing them all is
 * then exactly closing the idle ones; a busy session is waited for and the others go at the next poll once it is idle.
 * N > 0 (idle for N s) needs per-session idle times the proxy does not expose yet: nothing is closed.
 */
import type { SessionEntry } from '../api';
import type { SessionTerminator } from '../failover/types';
import type { ClientGate } from './types';

export interface GateProxy extends SessionTerminator {
  sessions(): SessionEntry[];
}

export interface GateAdmission {
  block(): void;
  unblock(): void;
}

export function createProxyGate(
  proxy: () => GateProxy | null,
  admission: () => GateAdmission | null,
): ClientGate {
  return {
    block: () => admission()?.block(),
    unblock: () => admission()?.unblock(),
    activeSessions: () => proxy()?.sessions().length ?? 0,
    closeIdleSessions(idleSeconds) {
      const p = proxy();
      if (!p || idleSeconds > 0) return 0;
      const sessions = p.sessions();
      if (sessions.length === 0 || sessions.some((s) => s.status !== 'Idle')) return 0;
      return p.terminateSessions({
        all: true,
        message: 'connection terminated due to online recovery (client_idle_limit_in_recovery)',
      });
    },
  };
}
